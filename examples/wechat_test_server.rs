//! The tests' local WeChat server (`tests/support/wechat_server.rs`: checks v2 signatures
//! and v3 Authorization headers with its own code) as a program, so that a build of the
//! app that cannot run as a Rust test can still be checked against it: the Windows .exe
//! under Wine in `scripts/windows-test.sh`. Plain HTTP on 127.0.0.1 (the app accepts http
//! only for loopback addresses), so no CA has to be put into Wine's trust store.
//!
//! Usage: `wechat_test_server APPID APPSECRET MCHID API_KEY_V2 API_KEY_V3 KEY_PEM_FILE SERIAL`
//! Prints the base URL on the first line of stdout and serves until it is killed.

#[path = "../tests/support/wechat_server.rs"]
mod wechat_server;

use std::io::Write;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [appid, secret, mchid, api_key, api_v3_key, key_file, serial] = args.as_slice() else {
        eprintln!(
            "usage: wechat_test_server APPID APPSECRET MCHID API_KEY_V2 API_KEY_V3 KEY_PEM_FILE SERIAL"
        );
        return std::process::ExitCode::from(2);
    };
    let key_pem = match std::fs::read_to_string(key_file) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("{key_file}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let server = wechat_server::FakeWeChat::start(
        vec![wechat_server::App {
            appid: appid.clone(),
            secret: secret.clone(),
        }],
        vec![wechat_server::Merchant {
            mchid: mchid.clone(),
            api_key: api_key.clone(),
            bound_appids: vec![appid.clone()],
            key_pem,
            serial: serial.clone(),
            api_v3_key: api_v3_key.clone(),
            public_key_mode: false,
            system_errors: 0,
            not_bound_in_return_msg: false,
        }],
    );
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{}", server.url);
    let _ = out.flush();
    loop {
        std::thread::park();
    }
}
