//! Reading the paths a user hands us (`services::files`): a pipe or a device
//! given as a certificate or a bundle is refused at once, with its own message,
//! instead of hanging on open (a FIFO with no writer) or reading forever
//! (`/dev/zero`). Each read runs on a thread with a deadline, so a regression
//! fails here instead of hanging the test run.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use wxpay_setup::domain::bundle::{self, BundleReadError};
use wxpay_setup::domain::cert::ImportError;
use wxpay_setup::domain::profile::Profile;
use wxpay_setup::services::files;

/// Runs `f` with a deadline; `None` when it did not finish in time.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit).ok()
}

const QUICKLY: Duration = Duration::from_secs(3);

#[cfg(unix)]
fn fifo(dir: &Path) -> PathBuf {
    let p = dir.join("cert.zip");
    let status = std::process::Command::new("mkfifo")
        .arg(&p)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    p
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_given_as_a_certificate_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    for path in [fifo(dir.path()), PathBuf::from("/dev/zero")] {
        let started = Instant::now();
        let p = path.clone();
        let result = within(QUICKLY, move || files::import_cert(&p).map(|_| ()))
            .unwrap_or_else(|| panic!("importing {} did not return", path.display()));
        match result {
            Err(ImportError::NotAFile { path: shown }) => {
                assert_eq!(shown, path.display().to_string())
            }
            other => panic!("{}: {other:?}", path.display()),
        }
        assert!(started.elapsed() < QUICKLY);
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_device_given_as_a_bundle_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    for path in [fifo(dir.path()), PathBuf::from("/dev/zero")] {
        let p = path.clone();
        let needs = within(QUICKLY, move || {
            files::bundle_needs_passphrase(&p).map(|_| ())
        });
        let p = path.clone();
        let read = within(QUICKLY, move || {
            files::read_bundle_file(&p, None).map(|_| ())
        });
        for (what, r) in [("inspect", needs), ("read", read)] {
            match r {
                Some(Err(BundleReadError::NotAFile)) => {}
                other => panic!("{what} {}: {other:?}", path.display()),
            }
        }
    }
}

#[test]
fn a_bundle_is_read_from_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("店.zip");
    let mut p = Profile::new("店");
    p.mchid = "1900006031".into();
    let file = std::fs::File::create(&path).unwrap();
    bundle::write_bundle(file, &p, None, None, "2026-11-27T08:00:00Z").unwrap();
    assert!(!files::bundle_needs_passphrase(&path).unwrap());
    let back = files::read_bundle_file(&path, None).unwrap();
    assert_eq!(back.profile.name, "店");
    assert_eq!(back.profile.mchid, "1900006031");
    assert!(matches!(
        files::read_bundle_file(dir.path(), None),
        Err(BundleReadError::NotAFile)
    ));
}

#[test]
fn a_pem_larger_than_the_limit_is_refused_by_what_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("apiclient_key.pem");
    let limit = wxpay_setup::domain::cert::archive::MAX_ENTRY_BYTES as usize;
    std::fs::write(&path, vec![b'A'; limit + 1]).unwrap();
    assert!(matches!(
        files::import_cert(&path),
        Err(ImportError::EntryTooLarge { entry }) if entry == "apiclient_key.pem"
    ));
}
