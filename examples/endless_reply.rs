//! Peak memory under an endless reply (issue 18 item 1): a loopback server
//! answers `200 OK` with a chunked body that never ends (until the client goes
//! away, or 60 s), and the real HTTP client asks it, as a check or a push
//! would. Prints the outcome, the time it took, how much the server sent, and
//! this process's peak resident memory (VmHWM) before and after.
//!
//!     cargo run --example endless_reply        (scripts/bench-endless-reply.sh)

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use wxpay_setup::services::wechat_http::{HttpClient, WeChatHttp};

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let counter = counter.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = conn.read(&mut buf);
                let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
                if conn.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let chunk = vec![b'{'; 64 * 1024];
                let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
                frame.extend_from_slice(&chunk);
                frame.extend_from_slice(b"\r\n");
                let until = Instant::now() + Duration::from_secs(60);
                while Instant::now() < until {
                    if conn.write_all(&frame).is_err() {
                        return;
                    }
                    counter.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
            });
        }
    });
    let client = HttpClient::with_env(&|_: &str| None).expect("a client");
    let before = peak_rss_kb();
    let start = Instant::now();
    let url = format!("http://127.0.0.1:{port}/cgi-bin/token?grant_type=client_credential");
    let outcome = match client.get(&url, None) {
        Ok(r) => format!("answer: status {} with {} bytes", r.status, r.body.len()),
        Err(e) => format!("failure: {} ({})", e.code(), e.detail()),
    };
    let took = start.elapsed();
    println!("outcome={outcome}");
    println!("elapsed_ms={}", took.as_millis());
    println!(
        "server_sent_kib_by_then={}",
        sent.load(Ordering::Relaxed) / 1024
    );
    println!("peak_rss_kb_before={before}");
    println!("peak_rss_kb_after={}", peak_rss_kb());
}
