//! Times the keychain per shop as the number of shops grows (issue 13): fills the
//! Secret Service with shops of six fields each, and at every size given on the
//! command line times writing ten new shops and reading ten existing ones, field by
//! field and in one call (`get_all`). Run it only inside a throwaway keychain (as
//! `scripts/bench-shops.sh` sets up): it writes dummy secrets under its own service
//! name and deletes them at the end.
//!
//!     cargo run --release --example keychain_probe -- 100 1000

use std::time::Instant;

use wxpay_setup::domain::profile::SecretField;
use wxpay_setup::domain::secret::Secret;
use wxpay_setup::services::secret_store::{KeyringStore, SecretStore};

fn shop(i: usize) -> String {
    format!("probe-shop-{i:05}")
}

/// One shop's six fields, written as `profile import` does (in one call).
fn fill(store: &KeyringStore, i: usize) {
    let values = SecretField::ALL
        .into_iter()
        .map(|f| {
            // dummy values of the real lengths (a private key is ~1.7 kB of PEM)
            let len = if f == SecretField::PrivateKey {
                1700
            } else {
                32
            };
            (f, Secret::new(format!("{i:05}{}", "x".repeat(len - 5))))
        })
        .collect();
    store.set_many(&shop(i), &values).expect("keychain write");
}

fn ms(t: Instant, per: usize) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0 / per as f64
}

fn main() {
    // SAFETY of the test data: a service name of its own, never the app's entries
    if std::env::var_os("WXPAY_SETUP_KEYCHAIN_SERVICE").is_none() {
        // SAFETY: single-threaded here, before anything reads the environment
        unsafe { std::env::set_var("WXPAY_SETUP_KEYCHAIN_SERVICE", "wxpay-setup-probe") };
    }
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![100, 1000]
    } else {
        sizes
    };
    let t = Instant::now();
    let store = KeyringStore::connect().expect("a Secret Service on the session bus");
    println!("connect_ms={:.1}", ms(t, 1));
    let mut n = 0;
    println!("shops\tset_shop_ms(10 new)\tget_field_by_field_ms\tget_all_ms");
    for size in sizes {
        while n + 10 < size {
            fill(&store, n);
            n += 1;
        }
        let t = Instant::now();
        for _ in 0..10 {
            fill(&store, n);
            n += 1;
        }
        let set = ms(t, 10);
        let picks: Vec<usize> = (0..10).map(|k| k * n / 10).collect();
        let t = Instant::now();
        for &i in &picks {
            for f in SecretField::ALL {
                assert!(store.get(&shop(i), f).expect("keychain read").is_some());
            }
        }
        let get = ms(t, 10);
        let t = Instant::now();
        for &i in &picks {
            assert_eq!(store.get_all(&shop(i)).expect("keychain read").len(), 6);
        }
        let get_all = ms(t, 10);
        println!("{n}\t{set:.1}\t{get:.1}\t{get_all:.1}");
    }
    if std::env::var_os("PROBE_KEEP").is_none() {
        for i in 0..n {
            store.delete_all(&shop(i)).expect("keychain delete");
        }
    }
}
