//! No reply body, however broken or hostile, makes a reply parser panic: random
//! bytes, and valid replies with random edits, through every parser, with the
//! same bytes as the `Date` and `Wechatpay-*` headers (clock, reply signature,
//! public-key mode); and through every shop backend's adapter (likeadmin, CRMEB,
//! ShopXO's HTML form and cookies, the generic receiver), each step fed the body.

use std::sync::OnceLock;

use rsa::pkcs8::{EncodePublicKey, LineEnding};
use wxpay_setup::domain::wxapi::{ReplyHeaders, clock, mp, v2, v3};

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
    r#"{"code":"SIGN_ERROR","message":"Http头Authorization中的timestamp与发起请求的时间不得超过5分钟"}"#,
    r#"{"code":"SIGN_ERROR","detail":{"sign_information":{}},"message":"商户证书序列号有误。"}"#,
    r#"{"code":"NOT_FOUND","message":"证书不存在"}"#,
    "<xml><return_code>FAIL</return_code><return_msg>商户号mch_id与appid不匹配</return_msg></xml>",
    "<xml><return_code>SUCCESS</return_code><result_code>FAIL</result_code><err_code>SIGNERROR</err_code><err_code_des>签名失败</err_code_des></xml>",
    r#"{"errcode":40164,"errmsg":"invalid ip, not in whitelist"}"#,
    "Fri, 27 Nov 2026 06:42:59 GMT",
    "PUB_KEY_ID_0119000060312025112600000001",
    // shop backends (issue 16): likeadmin, CRMEB, ShopXO, the generic receiver
    r#"{"code":1,"show":0,"msg":"","data":{"token":"T","lists":[{"id":2,"pay_way":2}],"id":2,"name":"微信支付","config":{"mch_id":"1900006031","apiclient_cert":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"}}}"#,
    r#"{"code":0,"show":1,"msg":"微信支付证书不能为空","data":[]}"#,
    r#"{"code":-1,"show":1,"msg":"登录超时，请重新登录","data":[]}"#,
    r#"{"status":200,"msg":"success","data":{"token":"t","value":"1","src":"/uploads/attach/a.pem"}}"#,
    r#"{"status":400,"msg":"账号或密码错误","data":{"login_captcha":1},"code":400140}"#,
    r#"{"msg":"登录成功","code":0,"data":{"token":"abc"}}"#,
    r#"<tr><a href="/admin1.php?s=payment/saveinfo/id/7.html">编辑</a><button data-id="Weixin">卸载</button></tr>"#,
    r#"<form><input type="text" name="plugins_mch_id" value="1900&amp;6031"/><textarea name="plugins_apiclient_key">-----BEGIN</textarea><select name="s"><option value="1" selected>x</option></select><input type="checkbox" name="t" value="a" checked data-am-switch/><input type="hidden" name="id" value="7"/></form>"#,
    r#"{"fields":{"mchid":"1900006031","api_key_v2":"sha256:00ff"}}"#,
    r#"{"ok":false,"message":"\u001b[2J refused"}"#,
];

const PUB_ID: &str = "PUB_KEY_ID_0119000060312025112600000001";

/// A real WeChat Pay public key, so that signature checks run to the end.
fn public_pem() -> &'static str {
    static P: OnceLock<String> = OnceLock::new();
    P.get_or_init(|| {
        rsa::PrivateKey::new(&mut getrandom::SysRng, 2048)
            .unwrap()
            .to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap()
    })
}

const ALPHABET: &[u8] = b"<>/![]{}\\\":,&;=CDATAxml 0123456789\n\x00\xff\xe7\xad\xbe";

fn all_parsers(body: &str) {
    let key = "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e";
    let _ = v2::parse_xml(body);
    let asked = v2::Asked {
        appid: "wx1234567890abcdef",
        mchid: "1900006031",
    };
    let _ = v2::interpret_orderquery(200, body, key, v2::SignType::Md5, asked);
    let _ = v2::interpret_orderquery(500, body, key, v2::SignType::HmacSha256, asked);
    let _ = mp::interpret(mp::Account::MiniProgram, 200, body);
    let _ = mp::interpret(mp::Account::ServiceAccount, 502, body);
    let first = mp::altered_secret(body);
    let _ = mp::interpret_probe(
        mp::Account::MiniProgram,
        200,
        body,
        wxpay_setup::domain::wxapi::Outcome::ok("appsecret_ok").with("detail", first),
    );
    let _ = clock::reply_skew_secs(
        &ReplyHeaders {
            date: Some(body.chars().take(600).collect()),
            wechatpay_timestamp: Some(body.chars().take(600).collect()),
            ..Default::default()
        },
        i64::MIN,
    );
    let _ = clock::parse_http_date(body);
    let _ = clock::skew_secs(Some(body), i64::MAX);
    let _ = clock::skew_secs(Some(body), i64::MIN);
    let _ = clock::clock_outcome([Some(i64::MIN), Some(i64::MAX), None]);
    let short: String = body.chars().take(600).collect();
    let hostile = ReplyHeaders {
        date: Some(short.clone()),
        wechatpay_serial: Some(short.clone()),
        wechatpay_signature: Some(short.clone()),
        wechatpay_timestamp: Some(short.clone()),
        wechatpay_nonce: Some(short.clone()),
    };
    let pub_key_signed = ReplyHeaders {
        wechatpay_serial: Some(PUB_ID.into()),
        ..hostile.clone()
    };
    for headers in [ReplyHeaders::default(), hostile, pub_key_signed] {
        for status in [200, 401, 404, 429, 500, 302] {
            let reply = v3::Reply {
                status,
                body,
                headers: &headers,
            };
            for given in [
                v3::Given::default(),
                v3::Given {
                    api_v3_key: Some("V3keyV3keyV3keyV3keyV3keyV3key12"),
                    public_key_id: PUB_ID,
                    public_key_pem: public_pem(),
                    clock_skew_secs: Some(-600),
                },
                v3::Given {
                    api_v3_key: Some(body),
                    public_key_id: body,
                    public_key_pem: body,
                    clock_skew_secs: Some(i64::MIN),
                },
            ] {
                let first = v3::interpret_certificates(&reply, &given);
                let _ = v3::needs_order_probe(&first);
                let _ = v3::interpret_order_probe(&reply, &given, &first);
                let _ = v3::asked_serial(&given);
            }
        }
    }
    let _ = v3::check_public_key_pem(body);
    let _ = v3::check_public_key_id(body);
    backend_parsers(body);
}

/// Every shop backend's reply judges, its HTML and cookie readers, and each adapter run
/// from login to results with every reply being `body`.
fn backend_parsers(body: &str) {
    use wxpay_setup::domain::backend::{
        Adapter, Ours, Reply, Shown, crmeb, form, generic, likeadmin, shopxo,
    };
    use wxpay_setup::domain::profile::SiteKind;
    let mut replies = Vec::new();
    for status in [200, 201, 302, 401, 404, 413, 503] {
        let mut r = Reply::new(status, body);
        r.set_cookies = vec![body.to_owned(), format!("PHPSESSID={body}; path=/")];
        replies.push(r);
    }
    for r in &replies {
        let _ = likeadmin::judge(r);
        let _ = crmeb::judge(r);
        let _ = shopxo::judge(r);
        let _ = generic::judge(r);
    }
    let _ = shopxo::weixin_row(body);
    let _ = shopxo::session_cookie(&[body.to_owned()]);
    let _ = form::fields(body);
    let _ = form::decode(body);
    let _ = Shown::of(Some(Ours::Certificate), body, Some(body));
    let values = wxpay_setup::domain::backend::Values::from_pairs(
        SiteKind::SiteAndMiniProgram,
        &[
            (Ours::MchId, "1900006031"),
            (Ours::ApiKeyV2, "Zq8RmT2vLx5NpW7cYb3dHf6jKs9GtA4e"),
            (Ours::ApiKeyV3, "V3keyV3keyV3keyV3keyV3keyV3key12"),
            (Ours::MpAppId, "wx1234567890abcdef"),
            (Ours::OaAppId, "wxfedcba0987654321"),
            (
                Ours::Certificate,
                "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----",
            ),
            (
                Ours::PrivateKey,
                "-----BEGIN PRIVATE KEY-----\nB\n-----END PRIVATE KEY-----",
            ),
            (Ours::PaymentName, body),
        ],
    );
    let adapters: Vec<Box<dyn Adapter>> = vec![
        Box::new(likeadmin::Likeadmin::new("https://x.cn/admin", values.clone()).unwrap()),
        Box::new(crmeb::Crmeb::new("https://x.cn/admin", values.clone()).unwrap()),
        Box::new(shopxo::Shopxo::new("https://x.cn/admin1.php", values.clone()).unwrap()),
        Box::new(generic::Generic::new(
            "https://x.cn/api",
            "tok",
            &wxpay_setup::domain::push::Mapping::generic(),
            values,
            "idem-0123456789abcdef",
        )),
    ];
    for (mut a, r) in adapters.into_iter().zip(replies.iter().cycle()) {
        let _ = a.logged_in(r);
        for _ in 0..20 {
            if a.next_read().is_none() || a.read(r).is_err() {
                break;
            }
        }
        let _ = a.plan();
        for _ in 0..5 {
            if a.next_write().is_none() || a.wrote(r).is_err() {
                break;
            }
        }
        a.reread();
        for _ in 0..20 {
            if a.next_read().is_none() || a.read(r).is_err() {
                break;
            }
        }
        let _ = a.results();
    }
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
