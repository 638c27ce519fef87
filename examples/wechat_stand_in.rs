//! The project's local test WeChat server (`tests/support/wechat_server.rs`)
//! served on a port, with an added latency per request, for
//! `scripts/bench-shops.sh` (issue 13). It also writes the shops it knows as
//! `profile import` files (one merchant, every shop's mini program and service
//! account bound to it, one certificate zip), so that `verify --all` passes.
//!
//!     cargo run --example wechat_stand_in -- --shops 100 --latency-ms 200 --out DIR
//!
//! DIR must hold `cert.zip` and its `apiclient_key.pem` (PKCS#8) and
//! `apiclient_cert.pem`, for the merchant 1900006031 (the script makes them with
//! openssl). Writes `DIR/url` (the base URL for WXPAY_SETUP_MP_API and
//! WXPAY_SETUP_PAY_API) and `DIR/shops/NNNNN.toml`, then serves until killed.
//! Test data only: the secrets are made up, the import files are thrown away.

#[path = "../tests/support/wechat_server.rs"]
mod wechat_server;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use wechat_server::{App, FakeWeChat, Merchant};

const MCHID: &str = "1900006031";
const KEY: &str = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
const V3_KEY: &str = "V3keyV3keyV3keyV3keyV3keyV3key12";

fn mp_appid(i: usize) -> String {
    format!("wx{:016x}", 0x1000_0000_0000 + i)
}
fn oa_appid(i: usize) -> String {
    format!("wx{:016x}", 0x2000_0000_0000 + i)
}
fn secret(kind: u128, i: usize) -> String {
    format!("{:032x}", (kind << 96) + 0x5eed_0000 + i as u128)
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|p| args.get(p + 1).cloned())
}

fn main() {
    let shops: usize = arg("--shops").and_then(|v| v.parse().ok()).unwrap_or(100);
    let latency = Duration::from_millis(
        arg("--latency-ms")
            .and_then(|v| v.parse().ok())
            .unwrap_or(200),
    );
    let out = PathBuf::from(arg("--out").expect("--out DIR"));
    std::fs::create_dir_all(out.join("shops")).expect("output folder");

    let zip = out.join("cert.zip");
    let key_pem = std::fs::read_to_string(out.join("apiclient_key.pem")).expect("the key");
    let serial = arg("--serial").expect("--serial HEX (of apiclient_cert.pem)");
    let mut apps = Vec::new();
    let mut bound = Vec::new();
    for i in 0..shops {
        let (mp, oa) = (mp_appid(i), oa_appid(i));
        let (mp_secret, oa_secret) = (secret(1, i), secret(2, i));
        let toml = format!(
            "name = \"店铺{i:05}\"\nsite_kind = \"site_and_mini_program\"\npayment_name = \"微信支付\"\n\
             mp_appid = \"{mp}\"\nmp_appsecret = \"{mp_secret}\"\nmchid = \"{MCHID}\"\n\
             api_key_v2 = \"{KEY}\"\napi_key_v3 = \"{V3_KEY}\"\noa_appid = \"{oa}\"\n\
             oa_appsecret = \"{oa_secret}\"\nbackend_token = \"token-{i:05}\"\ncert_zip = {zip:?}\n",
        );
        std::fs::write(out.join("shops").join(format!("{i:05}.toml")), toml).expect("write");
        apps.push(App {
            appid: mp.clone(),
            secret: mp_secret,
        });
        apps.push(App {
            appid: oa.clone(),
            secret: oa_secret,
        });
        bound.extend([mp, oa]);
    }
    let server = FakeWeChat::start(
        apps,
        vec![Merchant {
            mchid: MCHID.into(),
            api_key: KEY.into(),
            bound_appids: bound,
            key_pem,
            serial,
            api_v3_key: V3_KEY.into(),
            public_key_mode: false,
            system_errors: 0,
            not_bound_in_return_msg: false,
        }],
    );
    let upstream = server.url.trim_start_matches("http://").to_owned();

    // The server closes every connection after its reply, so one connection is
    // one request: the latency is added once per connection, before forwarding.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::fs::write(out.join("url"), &url).expect("write url");
    for client in listener.incoming().flatten() {
        let upstream = upstream.clone();
        std::thread::spawn(move || {
            std::thread::sleep(latency);
            if let Ok(server) = TcpStream::connect(&upstream) {
                relay(client, server);
            }
        });
    }
}

fn relay(client: TcpStream, server: TcpStream) {
    let (Ok(mut c_read), Ok(mut s_write)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let up = std::thread::spawn(move || {
        let _ = copy(&mut c_read, &mut s_write);
        let _ = s_write.shutdown(Shutdown::Write);
    });
    let (mut s_read, mut c_write) = (server, client);
    let _ = copy(&mut s_read, &mut c_write);
    let _ = c_write.shutdown(Shutdown::Both);
    let _ = up.join();
}

fn copy(from: &mut impl Read, to: &mut impl Write) -> std::io::Result<()> {
    std::io::copy(from, to).map(|_| ())
}
