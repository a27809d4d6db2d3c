//! Timestamps and serial numbers.
//!
//! A serial number needs a hash, not a random-number crate; dates come from
//! [`crate::time`].

use std::hash::BuildHasher;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// `SOURCE_DATE_EPOCH` (seconds since 1970, as reproducible-builds.org
/// defines it) when set to an integer.
pub fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse::<i64>().ok())
}

/// `YYYY-MM-DDTHH:MM:SSZ` for an instant in seconds since 1970 UTC; `None`
/// outside the years 0000 to 9999, which RFC 3339 cannot write.
pub fn rfc3339(epoch: i64) -> Option<String> {
    let (year, _, _) = crate::time::civil_from_days(epoch.div_euclid(86_400));
    (0..=9999).contains(&year).then(|| crate::time::rfc3339(epoch))
}

/// A name-based serial number: the SHA-256 of the content as an RFC 9562
/// version 8 UUID (the version for custom hash-based UUIDs).
pub fn content_serial(content: &[u8]) -> String {
    let digest = Sha256::digest(content);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    urn_uuid(bytes, 8)
}

/// A serial number unlikely to repeat: std's per-process random hasher keys
/// over the time, the process id and a counter, shaped as a version 4 UUID.
pub fn random_serial() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut bytes = [0u8; 16];
    for half in bytes.chunks_mut(8) {
        // Each RandomState has its own keys, so the two halves differ.
        let h = std::collections::hash_map::RandomState::new().hash_one((nanos, std::process::id(), count));
        half.copy_from_slice(&h.to_le_bytes());
    }
    urn_uuid(bytes, 4)
}

fn urn_uuid(mut b: [u8; 16], version: u8) -> String {
    b[6] = (b[6] & 0x0f) | (version << 4);
    // RFC 9562 variant: the top bits of byte 8 are 10.
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = crate::model::to_hex(&b);
    format!("urn:uuid:{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for (epoch, want) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_709_251_199, "2024-02-29T23:59:59Z"),
            (1_700_000_000, "2023-11-14T22:13:20Z"),
            (-1, "1969-12-31T23:59:59Z"),
            (253_402_300_799, "9999-12-31T23:59:59Z"),
            (-62_167_219_200, "0000-01-01T00:00:00Z"),
        ] {
            assert_eq!(rfc3339(epoch).as_deref(), Some(want), "{epoch}");
        }
        assert_eq!(rfc3339(253_402_300_800), None);
        assert_eq!(rfc3339(-62_167_219_201), None);
    }

    fn assert_uuid_shape(s: &str, version: char) {
        let hex = s.strip_prefix("urn:uuid:").expect("urn prefix");
        let parts: Vec<&str> = hex.split('-').collect();
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{s}");
        assert!(hex.chars().all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)), "{s}");
        assert_eq!(parts[2].chars().next(), Some(version), "{s}");
        assert!(matches!(parts[3].chars().next(), Some('8' | '9' | 'a' | 'b')), "{s}");
    }

    #[test]
    fn serials() {
        let a = content_serial(b"one");
        assert_eq!(a, content_serial(b"one"));
        assert_ne!(a, content_serial(b"two"));
        assert_uuid_shape(&a, '8');
        let r = random_serial();
        assert_uuid_shape(&r, '4');
        assert_ne!(r, random_serial());
    }
}
