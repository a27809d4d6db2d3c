//! End-to-end: the dashboard report, vendor detection on a real delivery,
//! and `sovra check` exit codes with compiler-style diagnostics.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use sovra_core::testing::corpus_dir as corpus;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sovra() -> Command {
    let mut cmd = Command::cargo_bin("sovra").unwrap();
    cmd.env("SOURCE_DATE_EPOCH", "1700000000");
    cmd
}

fn report(path: &Path) -> Value {
    let out = sovra().args(["scan", "--format", "json", "--quiet"]).arg(path).output().unwrap();
    assert!(matches!(out.status.code(), Some(0) | Some(1)), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

fn report_validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("schemas/sovra-report-1.schema.json")).unwrap())
            .unwrap();
    jsonschema::options().should_validate_formats(true).build(&schema).expect("the report schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> =
        validator.iter_errors(doc).take(5).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what}: report does not match its schema:\n{}", errors.join("\n"));
}

#[test]
fn report_validates_for_fixtures() {
    let v = report_validator();
    let doc = report(&root().join("fixtures/e2e/mixed"));
    assert_valid(&v, &doc, "fixtures/e2e/mixed");
    assert_eq!(doc["reportVersion"], "1.0");
    assert_eq!(doc["summary"]["components"], 4);
    assert_eq!(doc["summary"]["byEcosystem"]["npm"], 2);
    let left_pad = doc["components"].as_array().unwrap().iter().find(|c| c["name"] == "left-pad").unwrap();
    assert_eq!(left_pad["scope"], "dev");
    assert_eq!(left_pad["licenses"]["declared"][0]["raw"], "WTFPL");
}

#[test]
fn report_validates_for_every_corpus_project() {
    let Some(corpus) = corpus() else { return };
    let v = report_validator();
    for eco in ["cargo", "npm", "python", "maven", "go", "composer", "nuget", "ruby"] {
        for entry in std::fs::read_dir(corpus.join(eco)).unwrap() {
            let dir = entry.unwrap().path();
            let doc = report(&dir);
            assert_valid(&v, &doc, &dir.display().to_string());
            assert!(doc["summary"]["components"].as_u64().unwrap() > 0, "{}", dir.display());
        }
    }
}

#[test]
fn bitwarden_names_its_cloud_payment_and_mail_vendors() {
    let Some(corpus) = corpus() else { return };
    let doc = report(&corpus.join("nuget/bitwarden-server"));
    let vendors = doc["summary"]["vendors"].as_array().unwrap();
    let find = |id: &str| vendors.iter().find(|v| v["id"] == id).unwrap_or_else(|| panic!("vendor {id} not named"));
    let azure = find("azure");
    assert_eq!(azure["country"], "US");
    assert_eq!(azure["category"], "cloud");
    let packages: Vec<&str> = azure["packages"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(packages.iter().any(|p| p.starts_with("pkg:nuget/Azure.Storage.Blobs@")), "{packages:?}");
    assert!(packages.iter().any(|p| p.starts_with("pkg:nuget/Microsoft.Azure.Cosmos@")), "{packages:?}");
    // Payment services: Stripe, Braintree (PayPal), BitPay.
    for id in ["stripe", "paypal", "bitpay"] {
        assert_eq!(find(id)["category"], "payment", "{id}");
    }
    assert!(find("stripe")["packages"].to_string().contains("pkg:nuget/Stripe.net@"));
    // Mail delivery: SendGrid (Twilio) and Amazon SES.
    assert!(find("twilio")["packages"].to_string().contains("pkg:nuget/SendGrid@"));
    assert!(find("aws")["packages"].to_string().contains("pkg:nuget/AWSSDK.SimpleEmail@"));
    // The component itself carries the factor with its evidence.
    let stripe = doc["components"].as_array().unwrap().iter().find(|c| c["name"] == "Stripe.net").unwrap();
    let factor =
        stripe["risk"]["factors"].as_array().unwrap().iter().find(|f| f["factor"] == "vendor-lock-in").unwrap();
    assert!(factor["evidence"]["location"]["file"].as_str().unwrap().ends_with("packages.lock.json"));
    assert!(factor["message"].as_str().unwrap().contains("South San Francisco"));
}

fn check(dir: &Path, policy: &str) -> (i32, String) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("policy.toml");
    std::fs::write(&file, policy).unwrap();
    let out = sovra().args(["check", "--quiet", "--policy"]).arg(&file).arg(dir).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).replace(&file.display().to_string(), "policy.toml");
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_denying_policy_fails_with_package_and_lockfile_line() {
    let Some(corpus) = corpus() else { return };
    let dir = corpus.join("composer/composer");
    let (code, text) = check(&dir, "[licenses]\ndeny = [\"BSD-3-Clause\"]\n");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("error[licenses.denied]: pkg:composer/marc-mabe/php-enum@v4.7.2"), "{text}");
    // The lockfile line of the package entry and the policy line of the rule.
    let lock = std::fs::read_to_string(dir.join("composer.lock")).unwrap();
    let line = lock.lines().position(|l| l.contains("\"name\": \"marc-mabe/php-enum\"")).unwrap() + 1;
    assert!(text.contains(&format!("--> composer.lock:{line}")), "want line {line}: {text}");
    assert!(text.contains("= policy: policy.toml:2:9"), "{text}");
    assert!(text.lines().last().unwrap().starts_with("sovra check: 1 error, 0 warnings"), "{text}");
}

#[test]
fn an_allowing_policy_passes() {
    let Some(corpus) = corpus() else { return };
    let (code, text) = check(&corpus.join("composer/composer"), "[licenses]\nallow = [\"MIT\", \"BSD-3-Clause\"]\n");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("sovra check: 0 errors, 0 warnings; 30 components checked"), "{text}");
}

#[test]
fn check_works_on_fixtures_without_the_corpus() {
    let dir = root().join("fixtures/e2e/mixed");
    // lodash is MIT, left-pad (dev) is WTFPL and not checked; the crates have no licence in Cargo.lock.
    let (code, text) = check(&dir, "[licenses]\nallow = [\"MIT\"]\nunknown = \"allow\"\n");
    assert_eq!(code, 0, "{text}");
    let (code, text) = check(&dir, "[licenses]\ndeny = [\"MIT\"]\n");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("error[licenses.denied]: pkg:npm/lodash@4.17.21"), "{text}");
    assert!(text.contains("--> web/package-lock.json:"), "{text}");
    // Warnings alone do not fail.
    let (code, text) = check(&dir, "[licenses]\nunknown = \"warn\"\n");
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("warning[licenses.unknown]: pkg:cargo/itoa@1.0.11"), "{text}");
}

#[test]
fn a_broken_policy_is_a_usage_error_with_line_and_column() {
    let dir = root().join("fixtures/e2e/mixed");
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("sovra.toml");
    std::fs::write(&file, "[risk]\nfail-on = \"severe\"\n").unwrap();
    let out = sovra().args(["check", "--policy"]).arg(&file).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sovra.toml:2:11: unknown risk level `severe`"), "{err}");
}

#[test]
fn scan_fail_on_sets_the_exit_code_and_keeps_the_sbom() {
    let dir = root().join("fixtures/e2e/mixed");
    // The cargo crates have no licence in the lockfile: high (license-missing).
    let out = sovra().args(["scan", "--fail-on", "high"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let bom: Value = serde_json::from_slice(&out.stdout).unwrap();
    let itoa = bom["components"].as_array().unwrap().iter().find(|c| c["name"] == "itoa").unwrap();
    assert!(itoa["properties"].to_string().contains("license-missing"), "{itoa}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[risk.threshold]"));
    let out = sovra().args(["scan", "--fail-on", "critical", "--quiet"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}
