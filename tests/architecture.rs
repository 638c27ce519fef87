//! The layering of design.md: only `ui/` (and the `cli.rs` entry that starts it)
//! may know egui or eframe; the core stays testable without a window.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn core_layers_do_not_know_the_gui() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for layer in ["domain", "app", "services"] {
        rust_files(&src.join(layer), &mut files);
    }
    assert!(files.len() > 10, "found the layers");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for word in ["egui", "eframe"] {
            assert!(!text.contains(word), "{} mentions {word}", f.display());
        }
    }
}

#[test]
fn views_do_no_io() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui"),
        &mut files,
    );
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for word in ["std::fs", "keyring", "reqwest", "rfd::"] {
            assert!(!text.contains(word), "{} uses {word}", f.display());
        }
    }
}
