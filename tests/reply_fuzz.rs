//! No reply body, however broken or hostile, makes a reply parser panic: random
//! bytes, and valid replies with random edits, through every parser.

use wxpay_setup::domain::wxapi::{mp, v2, v3};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SEEDS: &[&str] = &[
    "<xml><return_code><![CDATA[SUCCESS]]></return_code><result_code><![CDATA[FAIL]]></result_code><err_code><![CDATA[ORDERNOTEXIST]]></err_code><sign><![CDATA[0A1B]]></sign></xml>",
    "<xml><return_code>FAIL</return_code><return_msg>签名错误，请检查后再试</return_msg></xml>",
    r#"{"errcode":40029,"errmsg":"invalid code, rid: 6925a1b2"}"#,
    r#"{"data":[{"serial_no":"5157","encrypt_certificate":{"algorithm":"AEAD_AES_256_GCM","nonce":"61f9c719728a","associated_data":"certificate","ciphertext":"AAAA"}}]}"#,
    r#"{"code":"RESOURCE_NOT_EXISTS","message":"无可用的平台证书"}"#,
];

const ALPHABET: &[u8] = b"<>/![]{}\\\":,&;=CDATAxml 0123456789\n\x00\xff\xe7\xad\xbe";

fn all_parsers(body: &str) {
    let key = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
    let _ = v2::parse_xml(body);
    let _ = v2::interpret_orderquery(body, key, v2::SignType::Md5);
    let _ = v2::interpret_orderquery(body, key, v2::SignType::HmacSha256);
    let _ = mp::interpret(mp::Account::MiniProgram, body);
    let _ = mp::interpret(mp::Account::ServiceAccount, body);
    for status in [200, 401, 404, 429, 500, 302] {
        let _ = v3::interpret_certificates(status, body, Some("V3keyV3keyV3keyV3keyV3keyV3key12"));
        let _ = v3::interpret_certificates(status, body, None);
    }
    let _ = v3::check_public_key_pem(body);
    let _ = v3::check_public_key_id(body);
}

#[test]
fn no_reply_body_panics_a_parser() {
    let mut rng = Rng(0x2545F4914F6CDD1D);
    let mut cases = 0;
    for round in 0..3000 {
        let mut bytes: Vec<u8> = if round % 3 == 0 {
            (0..rng.below(600))
                .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                .collect()
        } else {
            SEEDS[rng.below(SEEDS.len())].as_bytes().to_vec()
        };
        for _ in 0..rng.below(12) {
            if bytes.is_empty() {
                break;
            }
            let i = rng.below(bytes.len());
            match rng.below(3) {
                0 => bytes[i] = ALPHABET[rng.below(ALPHABET.len())],
                1 => {
                    bytes.remove(i);
                }
                _ => bytes.insert(i, ALPHABET[rng.below(ALPHABET.len())]),
            }
        }
        let body = String::from_utf8_lossy(&bytes).into_owned();
        let result = std::panic::catch_unwind(|| all_parsers(&body));
        assert!(result.is_ok(), "panic on {body:?}");
        cases += 1;
    }
    // deep nesting and huge inputs too
    all_parsers(&"<xml>".repeat(10_000));
    all_parsers(&format!("{{\"data\":{}}}", "[".repeat(10_000)));
    all_parsers(&"A".repeat(2_000_000));
    assert_eq!(cases, 3000);
}
