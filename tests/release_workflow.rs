//! `.github/workflows/release.yml` runs only on hosted runners, so nothing here would
//! notice a broken edit until a release tag is pushed. This test parses it as YAML
//! (yaml-rust2) and checks the shape that matters: a native MSVC Windows build, a macOS
//! .app for both architectures, the Linux packages through scripts/package.sh, signing
//! steps marked and skipped without their secrets, and every step runnable.

use yaml_rust2::{Yaml, YamlLoader};

fn workflow() -> Yaml {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/.github/workflows/release.yml");
    let text = std::fs::read_to_string(path).expect("release.yml exists");
    let mut docs = YamlLoader::load_from_str(&text).expect("release.yml is valid YAML");
    assert_eq!(docs.len(), 1, "one YAML document");
    docs.remove(0)
}

fn steps(job: &Yaml) -> &[Yaml] {
    job["steps"].as_vec().expect("a job has steps")
}

/// All `run:` scripts and `uses:` actions of a job, one string.
fn text_of(job: &Yaml) -> String {
    steps(job)
        .iter()
        .flat_map(|s| [s["run"].as_str(), s["uses"].as_str(), s["name"].as_str()])
        .flatten()
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn release_workflow_builds_every_platform_on_its_own_runner() {
    let wf = workflow();
    // `on:` is the key the YAML 1.1 parser could mistake for `true`: it must stay a key
    assert!(
        !wf["on"]["push"]["tags"].is_badvalue(),
        "triggered by version tags"
    );
    let jobs = &wf["jobs"];

    let win = &jobs["windows"];
    assert!(win["runs-on"].as_str().unwrap().starts_with("windows-"));
    let t = text_of(win);
    assert!(
        t.contains("--target x86_64-pc-windows-msvc"),
        "native MSVC build"
    );
    assert!(
        t.contains("wxpay-setup-cli.exe"),
        "the console twin is shipped"
    );
    assert!(
        t.contains("使用说明.txt") && t.contains("OFL"),
        "notes and licences in the zip"
    );

    let mac = &jobs["macos"];
    let targets: Vec<&str> = mac["strategy"]["matrix"]["include"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["aarch64-apple-darwin", "x86_64-apple-darwin"]);
    let t = text_of(mac);
    assert!(t.contains("wxpay-setup.app/Contents") || t.contains("$app/Contents/MacOS"));
    assert!(
        t.contains("Info.plist") && t.contains("iconutil"),
        "a real .app bundle"
    );

    assert!(text_of(&jobs["linux"]).contains("scripts/package.sh --linux"));
    let needs: Vec<&str> = jobs["release"]["needs"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(Yaml::as_str)
        .collect();
    assert_eq!(needs, ["windows", "macos", "linux"]);
}

#[test]
fn signing_steps_are_marked_and_skipped_without_secrets() {
    let wf = workflow();
    let mut signing = 0;
    for (name, job) in wf["jobs"].as_hash().unwrap() {
        for step in steps(job) {
            let label = step["name"].as_str().unwrap_or("");
            let run = step["run"].as_str().unwrap_or("");
            if run.contains("signtool") || run.contains("codesign") {
                signing += 1;
                assert!(
                    label.contains("[needs "),
                    "{name:?}: signing step '{label}' says what it needs"
                );
                let cond = step["if"].as_str().unwrap_or("");
                assert!(
                    cond.contains("!= ''"),
                    "{name:?}: '{label}' runs only with its secret"
                );
            }
        }
    }
    assert_eq!(
        signing, 2,
        "Windows Authenticode and macOS codesign/notarize"
    );
}

#[test]
fn every_step_runs_something_and_actions_are_pinned_to_a_version() {
    let wf = workflow();
    for (name, job) in wf["jobs"].as_hash().unwrap() {
        assert!(!job["runs-on"].is_badvalue(), "{name:?} has runs-on");
        for step in steps(job) {
            let run = step["run"].as_str();
            let uses = step["uses"].as_str();
            assert!(
                run.is_some() != uses.is_some(),
                "{name:?}: a step has exactly one of run/uses: {step:?}"
            );
            if let Some(u) = uses {
                assert!(u.contains('@'), "{name:?}: {u} is pinned");
            }
        }
    }
}
