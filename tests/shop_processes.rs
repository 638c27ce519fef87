//! The shop lock between processes, against the real Secret Service (started
//! by `scripts/test.sh`): several `profile import --replace` commands on one
//! name at once end with the profile and the keys of one of them; an import
//! racing `profile delete` leaves no keychain entry without a profile; and
//! `profile doctor` finds, then removes, the entries a killed command left.
#![cfg(target_os = "linux")]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Instant;

use support::{unique_name, wxpay};
use wxpay_setup::domain::profile::SecretField;
use wxpay_setup::domain::secret::Secret;
use wxpay_setup::services::profile_store::ProfileStore;
use wxpay_setup::services::secret_store::{KeyringStore, SecretStore};

/// gnome-keyring-daemon aborts (GLib: `g_variant_new: expected GVariant of type
/// 'v'`) when one client reads the properties of an item another client is
/// deleting: these tests search the whole test service while others delete,
/// so they take turns (seen: the daemon died in 2 of ~12 runs of the suite).
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

fn keychain() -> KeyringStore {
    KeyringStore::connect().expect("a Secret Service for the tests (scripts/test.sh)")
}

fn appid(i: usize) -> String {
    format!("wx{:016x}", 0xc000 + i)
}

fn appsecret(i: usize) -> String {
    format!("{:032x}", 0xfeed_0000 + i)
}

fn write_import(dir: &Path, name: &str, i: usize) -> PathBuf {
    let file = dir.join(format!("import-{i}.toml"));
    let mut text = format!(
        "name = {name:?}\nmp_appid = \"{}\"\nmp_appsecret = \"{}\"\n",
        appid(i),
        appsecret(i)
    );
    if i.is_multiple_of(2) {
        text.push_str(&format!(
            "api_key_v2 = \"Zq8RmT2vLx5NpW7cYb3dHf6jKs9G{i:04}\"\n"
        ));
    }
    std::fs::write(&file, text).unwrap();
    file
}

fn start(config: &Path, args: &[&str], file: Option<&Path>) -> Child {
    let mut c = wxpay(config);
    c.args(args);
    if let Some(f) = file {
        c.arg(f);
    }
    c.stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits; a refusal must be the busy message, nothing else.
fn finish(child: Child) -> bool {
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    if o.status.success() {
        return true;
    }
    assert!(
        err.contains("being changed by another window or command") || err.contains("no shop"),
        "{err}"
    );
    false
}

#[test]
fn parallel_import_processes_on_one_name_end_with_one_imports_profile_and_keys() {
    let _one_at_a_time = one_at_a_time();
    const ROUNDS: usize = 20;
    const PROCESSES: usize = 6;
    let config = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(config.path().to_path_buf());
    let k = keychain();
    let (mut mixed, mut refused, started) = (Vec::new(), 0, Instant::now());
    for round in 0..ROUNDS {
        let name = unique_name(&format!("并发{round}"));
        let files: Vec<PathBuf> = (0..PROCESSES)
            .map(|i| write_import(work.path(), &name, round * PROCESSES + i))
            .collect();
        let children: Vec<Child> = files
            .iter()
            .map(|f| start(config.path(), &["profile", "import", "--replace"], Some(f)))
            .collect();
        refused += children.into_iter().map(finish).filter(|ok| !ok).count();
        let p = store.load(&name).unwrap();
        let i = (0..ROUNDS * PROCESSES)
            .find(|i| appid(*i) == p.mp_appid)
            .unwrap();
        let secret = k.get(&name, SecretField::MpAppSecret).unwrap();
        let v2 = k.get(&name, SecretField::ApiKeyV2).unwrap();
        if secret != Some(Secret::new(appsecret(i))) || v2.is_some() != i.is_multiple_of(2) {
            mixed.push(round);
        }
        k.delete_all(&name).unwrap();
    }
    eprintln!(
        "{ROUNDS} rounds of {PROCESSES} import processes on one name in {:?}: {} mixed, {refused} told busy",
        started.elapsed(),
        mixed.len()
    );
    assert!(mixed.is_empty(), "mixed in rounds {mixed:?}");
}

#[test]
fn an_import_process_racing_a_delete_process_leaves_no_orphan() {
    let _one_at_a_time = one_at_a_time();
    const ROUNDS: usize = 40;
    let config = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(config.path().to_path_buf());
    let k = keychain();
    let (mut orphans, started) = (Vec::new(), Instant::now());
    for round in 0..ROUNDS {
        let name = unique_name(&format!("删{round}"));
        // the shop exists; a new import of it replaces it while a delete runs
        let first = write_import(work.path(), &name, 2 * round);
        assert!(finish(start(
            config.path(),
            &["profile", "import"],
            Some(&first)
        )));
        let file = write_import(work.path(), &name, 2 * round + 1);
        let a = start(
            config.path(),
            &["profile", "import", "--replace"],
            Some(&file),
        );
        // the delete comes at a different moment of the import each round
        std::thread::sleep(std::time::Duration::from_millis(3 * (round % 10) as u64));
        let b = start(config.path(), &["profile", "delete", &name], None);
        finish(a);
        finish(b);
        let secrets_left = !k.get_all(&name).unwrap().is_empty();
        if !store.exists(&name) && secrets_left {
            orphans.push(round);
        }
        k.delete_all(&name).unwrap();
    }
    eprintln!(
        "{ROUNDS} rounds of an import process racing a delete process in {:?}: {} orphans",
        started.elapsed(),
        orphans.len()
    );
    assert!(orphans.is_empty(), "orphaned secrets in rounds {orphans:?}");
}

#[test]
fn doctor_finds_and_fixes_keychain_entries_a_killed_command_left() {
    let _one_at_a_time = one_at_a_time();
    let config = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    // a service of this test alone: doctor sees every shop under it
    let service = unique_name("wxpay-setup-doctor");
    let run = |args: &[&str]| {
        let o = wxpay(config.path())
            .env("WXPAY_SETUP_KEYCHAIN_SERVICE", &service)
            .args(args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let kept = write_import(work.path(), "留下的店", 1);
    let lost = write_import(work.path(), "被中断的店", 2);
    run(&["profile", "import", kept.to_str().unwrap()]);
    run(&["profile", "import", lost.to_str().unwrap()]);
    // what a kill between the keychain and the profile left (older versions)
    std::fs::remove_file(config.path().join("profiles/被中断的店.toml")).unwrap();

    let found: serde_json::Value =
        serde_json::from_str(&run(&["profile", "doctor", "--json"])).unwrap();
    assert_eq!(found["orphaned_secrets"], serde_json::json!(["被中断的店"]));
    let fixed = run(&["profile", "doctor", "--fix"]);
    assert!(fixed.contains("被中断的店"), "{fixed}");
    let after: serde_json::Value =
        serde_json::from_str(&run(&["profile", "doctor", "--json"])).unwrap();
    assert_eq!(after["orphaned_secrets"], serde_json::json!([]));
    // the shop with a profile kept its secrets
    let shown = run(&["profile", "show", "留下的店", "--json"]);
    assert!(shown.contains("\"mp_appsecret\": \"set\""), "{shown}");
    run(&["profile", "delete", "留下的店"]);
}

/// Found by a first-user trial: `profile import --replace` killed between its
/// keychain write and its profile write left the old AppID beside the new
/// secrets, unmarked (26 of 163 kill rounds). Now a kill at any moment leaves
/// the old shop, the new one, or one marked unfinished that nothing vouches for.
#[test]
fn a_killed_replace_leaves_old_new_or_a_shop_marked_unfinished() {
    let _one_at_a_time = one_at_a_time();
    const ROUNDS: usize = 40;
    let config = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let store = ProfileStore::at(config.path().to_path_buf());
    let k = keychain();
    let (mut mixed, mut unfinished, started) = (Vec::new(), 0, Instant::now());
    for round in 0..ROUNDS {
        let name = unique_name(&format!("杀{round}"));
        let (old, new) = (2 * round, 2 * round + 1);
        assert!(finish(start(
            config.path(),
            &["profile", "import"],
            Some(&write_import(work.path(), &name, old)),
        )));
        let mut child = start(
            config.path(),
            &["profile", "import", "--replace"],
            Some(&write_import(work.path(), &name, new)),
        );
        // a different moment of the import each round (process start included)
        std::thread::sleep(std::time::Duration::from_millis(
            20 + 4 * (round % 25) as u64,
        ));
        let _ = child.kill();
        let _ = child.wait();
        let p = store.load(&name).unwrap();
        let secret = k.get(&name, SecretField::MpAppSecret).unwrap();
        if p.import_unfinished {
            unfinished += 1;
            // and every command that would vouch for it refuses
            let out = wxpay(config.path())
                .args(["verify", "--profile", &name])
                .output()
                .unwrap();
            let said = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!out.status.success());
            assert!(said.contains("was cut off"), "{said}");
        } else {
            let i = if p.mp_appid == appid(old) { old } else { new };
            assert_eq!(p.mp_appid, appid(i));
            if secret != Some(Secret::new(appsecret(i))) {
                mixed.push(round);
            }
        }
        k.delete_all(&name).unwrap();
    }
    eprintln!(
        "{ROUNDS} killed --replace imports in {:?}: {} mixed, {unfinished} marked unfinished",
        started.elapsed(),
        mixed.len()
    );
    assert!(mixed.is_empty(), "old and new mixed in rounds {mixed:?}");
}
