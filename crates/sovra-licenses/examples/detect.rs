//! Detect the licence of each file named on the command line (or listed,
//! one path a line, in a file given with `--list FILE`) and report the
//! throughput. The benchmark of the README:
//!
//! ```sh
//! cargo run --release -p sovra-licenses --example detect -- \
//!     --list <(cut -f1 ../shared/corpus/licenses/expected.tsv | sed 's|^|../shared/corpus/licenses/|')
//! ```
//!
//! The index is built once (reported separately); files are read before the
//! clock starts so the figure is the detector's, not the disk's. Two figures:
//! one thread, and all cores (rayon, as `sovra licenses detect` runs).

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut paths: Vec<String> = Vec::new();
    let mut quiet = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--list" => {
                let list = args.next().expect("--list needs a file");
                let text = std::fs::read_to_string(&list).expect("cannot read the list");
                paths.extend(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string));
            }
            "--quiet" => quiet = true,
            _ => paths.push(a),
        }
    }
    let start = Instant::now();
    let detector = sovra_licenses::Detector::new();
    eprintln!("index built in {:.0} ms", start.elapsed().as_secs_f64() * 1000.0);
    let files: Vec<(String, Vec<u8>)> =
        paths.into_iter().filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b))).collect();
    let start = Instant::now();
    let results: Vec<_> = files.iter().map(|(_, b)| detector.detect(b)).collect();
    let secs = start.elapsed().as_secs_f64();
    if !quiet {
        for ((p, _), d) in files.iter().zip(&results) {
            println!("{p}\t{}\t{:.2}\t{:?}\t{}", d.expression, d.confidence, d.method, d.matched.join("; "));
        }
    }
    eprintln!("{} files in {:.3} s = {:.0} files/s (one thread)", files.len(), secs, files.len() as f64 / secs);
    use rayon::prelude::*;
    let start = Instant::now();
    let parallel: Vec<_> = files.par_iter().map(|(_, b)| detector.detect(b)).collect();
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(parallel, results, "detection must not depend on the thread");
    eprintln!(
        "{} files in {:.3} s = {:.0} files/s ({} threads)",
        files.len(),
        secs,
        files.len() as f64 / secs,
        rayon::current_num_threads()
    );
}
