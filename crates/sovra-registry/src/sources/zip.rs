//! Just enough of the zip format to take the licence files out of a Go module
//! zip: the central directory, stored and deflated entries, hard limits.

use std::io::Read;

/// An entry's data read at most (licence texts are a few KB).
const MAX_ENTRY: u64 = 1 << 20;
/// Central directory entries looked at, at most.
const MAX_ENTRIES: usize = 200_000;

/// The archive's entry names with their local header offsets, sizes and method.
struct Entry {
    name: String,
    method: u16,
    compressed: u64,
    size: u64,
    offset: u64,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn entries(zip: &[u8]) -> Option<Vec<Entry>> {
    // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
    let from = zip.len().saturating_sub(22 + 0xffff);
    let eocd = (from..zip.len().saturating_sub(21)).rev().find(|&i| u32_at(zip, i) == Some(0x0605_4b50))?;
    let count = usize::from(u16_at(zip, eocd + 10)?);
    let mut at = u32_at(zip, eocd + 16)? as usize;
    let mut out = Vec::new();
    for _ in 0..count.min(MAX_ENTRIES) {
        if u32_at(zip, at)? != 0x0201_4b50 {
            return None;
        }
        let name_len = usize::from(u16_at(zip, at + 28)?);
        let extra_len = usize::from(u16_at(zip, at + 30)?);
        let comment_len = usize::from(u16_at(zip, at + 32)?);
        let name = String::from_utf8_lossy(zip.get(at + 46..at + 46 + name_len)?).into_owned();
        out.push(Entry {
            name,
            method: u16_at(zip, at + 10)?,
            compressed: u64::from(u32_at(zip, at + 20)?),
            size: u64::from(u32_at(zip, at + 24)?),
            offset: u64::from(u32_at(zip, at + 42)?),
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(out)
}

fn data(zip: &[u8], e: &Entry) -> Option<Vec<u8>> {
    let at = usize::try_from(e.offset).ok()?;
    if u32_at(zip, at)? != 0x0403_4b50 || e.size > MAX_ENTRY {
        return None;
    }
    let start = at + 30 + usize::from(u16_at(zip, at + 26)?) + usize::from(u16_at(zip, at + 28)?);
    let raw = zip.get(start..start.checked_add(usize::try_from(e.compressed).ok()?)?)?;
    match e.method {
        0 => Some(raw.to_vec()),
        8 => {
            let mut out = Vec::new();
            flate2::read::DeflateDecoder::new(raw).take(MAX_ENTRY).read_to_end(&mut out).ok()?;
            Some(out)
        }
        _ => None,
    }
}

/// The files directly under `prefix` (the module's `path@version/`) whose
/// names say they hold a licence, by name; `None` if this is not a zip.
pub fn licence_files(zip: &[u8], prefix: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let mut found: Vec<(String, Vec<u8>)> = entries(zip)?
        .iter()
        .filter_map(|e| {
            let file = e.name.strip_prefix(prefix)?;
            let upper = file.to_ascii_uppercase();
            let licence = !file.contains('/')
                && ["LICENSE", "LICENCE", "COPYING", "UNLICENSE"].iter().any(|p| upper.starts_with(p));
            if !licence {
                return None;
            }
            Some((file.to_string(), data(zip, e)?))
        })
        .collect();
    found.sort();
    Some(found)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A zip of `(name, content, deflate?)` entries, written by hand.
    pub fn build(files: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, content, deflate) in files {
            let data = if *deflate {
                let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
                enc.write_all(content).unwrap();
                enc.finish().unwrap()
            } else {
                content.to_vec()
            };
            let method: u16 = if *deflate { 8 } else { 0 };
            let offset = out.len() as u32;
            let mut local = Vec::new();
            local.extend(0x0403_4b50u32.to_le_bytes());
            local.extend([20, 0, 0, 0]);
            local.extend(method.to_le_bytes());
            local.extend([0; 8]); // time, date, crc (not checked)
            local.extend((data.len() as u32).to_le_bytes());
            local.extend((content.len() as u32).to_le_bytes());
            local.extend((name.len() as u16).to_le_bytes());
            local.extend([0, 0]);
            local.extend(name.as_bytes());
            out.extend(local);
            out.extend(&data);
            central.extend(0x0201_4b50u32.to_le_bytes());
            central.extend([20, 0, 20, 0, 0, 0]);
            central.extend(method.to_le_bytes());
            central.extend([0; 8]);
            central.extend((data.len() as u32).to_le_bytes());
            central.extend((content.len() as u32).to_le_bytes());
            central.extend((name.len() as u16).to_le_bytes());
            central.extend([0; 12]);
            central.extend(offset.to_le_bytes());
            central.extend(name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend(&central);
        out.extend(0x0605_4b50u32.to_le_bytes());
        out.extend([0; 4]);
        out.extend((files.len() as u16).to_le_bytes());
        out.extend((files.len() as u16).to_le_bytes());
        out.extend((central.len() as u32).to_le_bytes());
        out.extend(cd_offset.to_le_bytes());
        out.extend([0, 0]);
        out
    }

    #[test]
    fn licence_files_at_the_module_root_are_read() {
        let zip = build(&[
            ("m@v1.0.0/LICENSE", b"MIT text", true),
            ("m@v1.0.0/COPYING.md", b"stored", false),
            ("m@v1.0.0/vendor/x/LICENSE", b"nested", true),
            ("m@v1.0.0/main.go", b"package m", true),
        ]);
        let files = licence_files(&zip, "m@v1.0.0/").unwrap();
        assert_eq!(
            files,
            vec![("COPYING.md".to_string(), b"stored".to_vec()), ("LICENSE".to_string(), b"MIT text".to_vec())]
        );
    }

    #[test]
    fn garbage_and_truncation_are_not_zips() {
        assert!(licence_files(b"not a zip at all", "m/").is_none());
        let zip = build(&[("m/LICENSE", b"MIT", true)]);
        assert!(licence_files(&zip[zip.len() / 2..], "m/").is_none_or(|f| f.is_empty()));
        assert!(licence_files(&[], "m/").is_none());
    }
}
