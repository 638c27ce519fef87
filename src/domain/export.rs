//! Config for every common stack (facts file, section 5). Each renderer writes
//! one main file that refers to the PEM files written beside it. Secrets (API
//! keys, the private key) appear only when the caller includes them; otherwise
//! their place holds [`NOT_EXPORTED`], so the file still parses.

use std::collections::BTreeMap;

use super::backend_form::{CERT_FILE_NAME, KEY_FILE_NAME};
use super::profile::{Profile, SecretField};
use super::secret::Secret;

pub const NOT_EXPORTED: &str = "NOT_EXPORTED";
pub const PUBLIC_KEY_FILE_NAME: &str = "pub_key.pem";
/// Where WeChat Pay calls back: the shop's own URL, which only its developer knows.
pub const NOTIFY_URL_PLACEHOLDER: &str = "https://your-shop.example.com/wxpay/notify";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Env,
    EasyWeChat5,
    EasyWeChat6,
    WxJava,
    WechatpayGo,
    WechatpayJava,
    WechatpayPhp,
    PythonWechatpayv3,
    IjPay,
    Crmeb,
    Likeadmin,
    Shopxo,
}

impl Format {
    pub const ALL: [Format; 12] = [
        Format::Env,
        Format::EasyWeChat5,
        Format::EasyWeChat6,
        Format::WxJava,
        Format::WechatpayGo,
        Format::WechatpayJava,
        Format::WechatpayPhp,
        Format::PythonWechatpayv3,
        Format::IjPay,
        Format::Crmeb,
        Format::Likeadmin,
        Format::Shopxo,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Env => "env",
            Format::EasyWeChat5 => "easywechat5",
            Format::EasyWeChat6 => "easywechat6",
            Format::WxJava => "wxjava",
            Format::WechatpayGo => "wechatpay-go",
            Format::WechatpayJava => "wechatpay-java",
            Format::WechatpayPhp => "wechatpay-php",
            Format::PythonWechatpayv3 => "python-wechatpayv3",
            Format::IjPay => "ijpay",
            Format::Crmeb => "crmeb",
            Format::Likeadmin => "likeadmin",
            Format::Shopxo => "shopxo",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s.trim())
    }

    /// The main file's name.
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Env => ".env",
            Format::EasyWeChat5 => "easywechat5_payment.php",
            Format::EasyWeChat6 => "easywechat6_pay.php",
            Format::WxJava => "application.yml",
            Format::WechatpayGo => "wechatpay_config.go",
            Format::WechatpayJava => "WechatPayConfig.java",
            Format::WechatpayPhp => "wechatpay.php",
            Format::PythonWechatpayv3 => "wechatpay_config.py",
            Format::IjPay => "wxpay.properties",
            Format::Crmeb => "crmeb.json",
            Format::Likeadmin => "likeadmin.json",
            Format::Shopxo => "shopxo.json",
        }
    }
}

/// The values every renderer draws from.
pub struct Values {
    pub appid: String,
    pub oa_appid: String,
    pub mp_appsecret: String,
    pub mchid: String,
    pub api_key_v2: String,
    pub api_key_v3: String,
    pub serial: String,
    pub has_cert: bool,
    pub cert_pem: String,
    pub key_pem: String,
    pub secrets_included: bool,
    pub public_key_id: String,
    pub public_key_pem: String,
}

impl Values {
    pub fn new(p: &Profile, secrets: Option<&BTreeMap<SecretField, Secret>>) -> Values {
        let secret = |f: SecretField| match secrets {
            Some(s) => s
                .get(&f)
                .map(|v| v.expose().trim().to_owned())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| NOT_EXPORTED.to_owned()),
            None => NOT_EXPORTED.to_owned(),
        };
        Values {
            appid: p.mp_appid.trim().to_owned(),
            oa_appid: p.oa_appid.trim().to_owned(),
            mp_appsecret: secret(SecretField::MpAppSecret),
            mchid: p.mchid.trim().to_owned(),
            api_key_v2: secret(SecretField::ApiKeyV2),
            api_key_v3: secret(SecretField::ApiKeyV3),
            serial: p
                .certificate
                .as_ref()
                .map(|c| c.serial.clone())
                .unwrap_or_default(),
            has_cert: p.certificate.is_some(),
            cert_pem: p
                .certificate
                .as_ref()
                .map(|c| c.certificate_pem.clone())
                .unwrap_or_default(),
            key_pem: secret(SecretField::PrivateKey),
            secrets_included: secrets.is_some(),
            public_key_id: p.public_key_id.trim().to_owned(),
            public_key_pem: p.public_key_pem.trim().to_owned(),
        }
    }

    fn public_key_mode(&self) -> bool {
        !self.public_key_id.is_empty()
    }
}

/// What an export writes: the main file and the files beside it.
pub struct Rendered {
    pub files: Vec<(String, String)>,
}

pub fn render(format: Format, v: &Values) -> Rendered {
    let main = match format {
        Format::Env => env(v),
        Format::EasyWeChat5 => easywechat5(v),
        Format::EasyWeChat6 => easywechat6(v),
        Format::WxJava => wxjava(v),
        Format::WechatpayGo => go(v),
        Format::WechatpayJava => java(v),
        Format::WechatpayPhp => wechatpay_php(v),
        Format::PythonWechatpayv3 => python(v),
        Format::IjPay => ijpay(v),
        Format::Crmeb | Format::Likeadmin | Format::Shopxo => shop_json(format, v),
    };
    let mut files = vec![(format.file_name().to_owned(), main)];
    if v.has_cert {
        files.push((CERT_FILE_NAME.to_owned(), v.cert_pem.clone()));
    }
    if v.secrets_included && v.key_pem != NOT_EXPORTED {
        files.push((KEY_FILE_NAME.to_owned(), v.key_pem.clone()));
    }
    if v.public_key_mode() && !v.public_key_pem.is_empty() {
        files.push((
            PUBLIC_KEY_FILE_NAME.to_owned(),
            format!("{}\n", v.public_key_pem),
        ));
    }
    Rendered { files }
}

// ----- quoting, one per language -------------------------------------------------------

/// `"..."` for Go, Java, YAML, JSON-ish: backslash escapes, no raw control characters.
fn dq(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// PHP single quotes: only `\` and `'` are special, and `$` is not interpolated.
fn php(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// Python: a plain string literal with escapes.
fn py(s: &str) -> String {
    dq(s)
}

/// dotenv: double quotes keep `#` and spaces literal.
fn env_value(s: &str) -> String {
    dq(s)
}

/// Java .properties: escape `\`, `=`, `:`, `#`, `!` and write non-ASCII as \uXXXX
/// (properties files are ISO-8859-1).
fn prop(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' | '=' | ':' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii() && !c.is_control() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
    }
    out
}

fn header(comment: &str, v: &Values) -> String {
    let mut h = format!("{comment} WeChat Pay configuration written by wxpay-setup.\n");
    if !v.secrets_included {
        h.push_str(&format!(
            "{comment} Secrets were not exported: replace {NOT_EXPORTED} with the values, or export with secrets.\n"
        ));
    }
    h.push_str(&format!(
        "{comment} Set the notify URL to your shop's own callback address.\n"
    ));
    h
}

// ----- renderers --------------------------------------------------------------------

fn env(v: &Values) -> String {
    let mut s = header("#", v);
    let mut kv = |k: &str, val: &str| s.push_str(&format!("{k}={}\n", env_value(val)));
    kv("WXPAY_APPID", &v.appid);
    if !v.oa_appid.is_empty() {
        kv("WXPAY_OA_APPID", &v.oa_appid);
    }
    kv("WXPAY_MCHID", &v.mchid);
    kv("WXPAY_API_KEY", &v.api_key_v2);
    kv("WXPAY_API_V3_KEY", &v.api_key_v3);
    kv("WXPAY_CERT_SERIAL_NO", &v.serial);
    kv("WXPAY_CERT_PATH", &format!("./{CERT_FILE_NAME}"));
    kv("WXPAY_KEY_PATH", &format!("./{KEY_FILE_NAME}"));
    if v.public_key_mode() {
        kv("WXPAY_PUBLIC_KEY_ID", &v.public_key_id);
        kv(
            "WXPAY_PUBLIC_KEY_PATH",
            &format!("./{PUBLIC_KEY_FILE_NAME}"),
        );
    }
    kv("WXPAY_NOTIFY_URL", NOTIFY_URL_PLACEHOLDER);
    s
}

fn easywechat5(v: &Values) -> String {
    format!(
        "<?php\n{}\nreturn [\n    'app_id' => {},\n    'mch_id' => {},\n    'key' => {},\n    'cert_path' => __DIR__ . {},\n    'key_path' => __DIR__ . {},\n    'notify_url' => {},\n];\n",
        header("//", v),
        php(&v.appid),
        php(&v.mchid),
        php(&v.api_key_v2),
        php(&format!("/{CERT_FILE_NAME}")),
        php(&format!("/{KEY_FILE_NAME}")),
        php(NOTIFY_URL_PLACEHOLDER),
    )
}

fn easywechat6(v: &Values) -> String {
    let platform = if v.public_key_mode() {
        format!(
            "    'platform_certs' => [\n        {} => __DIR__ . {},\n    ],\n",
            php(&v.public_key_id),
            php(&format!("/{PUBLIC_KEY_FILE_NAME}"))
        )
    } else {
        "    // 'platform_certs' => [], // downloaded by the SDK from /v3/certificates\n".to_owned()
    };
    format!(
        "<?php\n{}\nreturn [\n    'mch_id' => {},\n    'private_key' => __DIR__ . {},\n    'certificate' => __DIR__ . {},\n    'certificate_serial_no' => {},\n    'secret_key' => {},\n    'v2_secret_key' => {},\n{platform}    'notify_url' => {},\n];\n",
        header("//", v),
        php(&v.mchid),
        php(&format!("/{KEY_FILE_NAME}")),
        php(&format!("/{CERT_FILE_NAME}")),
        php(&v.serial),
        php(&v.api_key_v3),
        php(&v.api_key_v2),
        php(NOTIFY_URL_PLACEHOLDER),
    )
}

fn wxjava(v: &Values) -> String {
    let mut s = header("#", v);
    s.push_str("wx:\n  pay:\n");
    let mut kv = |k: &str, val: &str| s.push_str(&format!("    {k}: {}\n", dq(val)));
    kv("app-id", &v.appid);
    kv("mch-id", &v.mchid);
    kv("mch-key", &v.api_key_v2);
    kv("private-key-path", KEY_FILE_NAME);
    kv("private-cert-path", CERT_FILE_NAME);
    kv("cert-serial-no", &v.serial);
    kv("api-v3-key", &v.api_key_v3);
    if v.public_key_mode() {
        kv("public-key-id", &v.public_key_id);
        kv("public-key-path", PUBLIC_KEY_FILE_NAME);
    }
    kv("notify-url", NOTIFY_URL_PLACEHOLDER);
    s.push_str("    # key-path: apiclient_cert.p12 from the WXCertUtil zip (only for APIv2 calls that need it)\n");
    s
}

fn go(v: &Values) -> String {
    let (opt, extra) = if v.public_key_mode() {
        (
            "option.WithWechatPayPublicKeyAuthCipher(mchID, mchCertificateSerialNumber, mchPrivateKey, publicKeyID, publicKey)",
            format!(
                "\tpublicKeyID := {}\n\tpublicKey, err := utils.LoadPublicKeyWithPath({})\n\tif err != nil {{\n\t\treturn nil, err\n\t}}\n",
                dq(&v.public_key_id),
                dq(PUBLIC_KEY_FILE_NAME)
            ),
        )
    } else {
        (
            "option.WithWechatPayAutoAuthCipher(mchID, mchCertificateSerialNumber, mchPrivateKey, mchAPIv3Key)",
            String::new(),
        )
    };
    format!(
        "{}\npackage wxpayconfig\n\nimport (\n\t\"context\"\n\n\t\"github.com/wechatpay-apiv3/wechatpay-go/core\"\n\t\"github.com/wechatpay-apiv3/wechatpay-go/core/option\"\n\t\"github.com/wechatpay-apiv3/wechatpay-go/utils\"\n)\n\nconst (\n\tAppID = {}\n\tmchID = {}\n\tmchCertificateSerialNumber = {}\n\tmchAPIv3Key = {}\n)\n\n// NewClient builds a WeChat Pay APIv3 client.\nfunc NewClient(ctx context.Context) (*core.Client, error) {{\n\tmchPrivateKey, err := utils.LoadPrivateKeyWithPath({})\n\tif err != nil {{\n\t\treturn nil, err\n\t}}\n{extra}\treturn core.NewClient(ctx, {opt})\n}}\n",
        header("//", v),
        dq(&v.appid),
        dq(&v.mchid),
        dq(&v.serial),
        dq(&v.api_key_v3),
        dq(KEY_FILE_NAME),
    )
}

fn java(v: &Values) -> String {
    let config = if v.public_key_mode() {
        format!(
            "new RSAPublicKeyConfig.Builder()\n                .merchantId(MERCHANT_ID)\n                .privateKeyFromPath({})\n                .merchantSerialNumber(MERCHANT_SERIAL_NUMBER)\n                .apiV3Key(API_V3_KEY)\n                .publicKeyFromPath({})\n                .publicKeyId({})\n                .build()",
            dq(KEY_FILE_NAME),
            dq(PUBLIC_KEY_FILE_NAME),
            dq(&v.public_key_id)
        )
    } else {
        format!(
            "new RSAAutoCertificateConfig.Builder()\n                .merchantId(MERCHANT_ID)\n                .privateKeyFromPath({})\n                .merchantSerialNumber(MERCHANT_SERIAL_NUMBER)\n                .apiV3Key(API_V3_KEY)\n                .build()",
            dq(KEY_FILE_NAME)
        )
    };
    format!(
        "{}\nimport com.wechat.pay.java.core.Config;\nimport com.wechat.pay.java.core.RSAAutoCertificateConfig;\nimport com.wechat.pay.java.core.RSAPublicKeyConfig;\n\npublic final class WechatPayConfig {{\n    public static final String APP_ID = {};\n    public static final String MERCHANT_ID = {};\n    public static final String MERCHANT_SERIAL_NUMBER = {};\n    public static final String API_V3_KEY = {};\n\n    private WechatPayConfig() {{}}\n\n    public static Config build() {{\n        return {config};\n    }}\n}}\n",
        header("//", v),
        dq(&v.appid),
        dq(&v.mchid),
        dq(&v.serial),
        dq(&v.api_key_v3),
    )
}

fn wechatpay_php(v: &Values) -> String {
    let (platform_id, platform_file) = if v.public_key_mode() {
        (
            php(&v.public_key_id),
            php(&format!("file://' . __DIR__ . '/{PUBLIC_KEY_FILE_NAME}")),
        )
    } else {
        (
            php("PLATFORM_CERT_SERIAL"),
            php("file://' . __DIR__ . '/wechatpay_platform.pem"),
        )
    };
    format!(
        "<?php\n{}\nuse WeChatPay\\Builder;\nuse WeChatPay\\Crypto\\Rsa;\n\n$merchantId = {};\n$merchantCertificateSerial = {};\n$merchantPrivateKeyInstance = Rsa::from('file://' . __DIR__ . {}, Rsa::KEY_TYPE_PRIVATE);\n$platformPublicKeyInstance = Rsa::from({platform_file}, Rsa::KEY_TYPE_PUBLIC);\n\nreturn Builder::factory([\n    'mchid' => $merchantId,\n    'serial' => $merchantCertificateSerial,\n    'privateKey' => $merchantPrivateKeyInstance,\n    'certs' => [\n        {platform_id} => $platformPublicKeyInstance,\n    ],\n    'secret' => {},\n]);\n",
        header("//", v),
        php(&v.mchid),
        php(&v.serial),
        php(&format!("/{KEY_FILE_NAME}")),
        php(&v.api_key_v2),
    )
}

fn python(v: &Values) -> String {
    let public = if v.public_key_mode() {
        format!(
            "PUBLIC_KEY_ID = {}\nwith open(os.path.join(HERE, {})) as f:\n    PUBLIC_KEY = f.read()\n",
            py(&v.public_key_id),
            py(PUBLIC_KEY_FILE_NAME)
        )
    } else {
        "PUBLIC_KEY_ID = None\nPUBLIC_KEY = None\n".to_owned()
    };
    format!(
        "{}\nimport os\n\nfrom wechatpayv3 import WeChatPay, WeChatPayType\n\nHERE = os.path.dirname(os.path.abspath(__file__))\n\nMCHID = {}\nAPPID = {}\nCERT_SERIAL_NO = {}\nAPIV3_KEY = {}\nNOTIFY_URL = {}\nwith open(os.path.join(HERE, {})) as f:\n    PRIVATE_KEY = f.read()\n{public}\n\ndef client():\n    return WeChatPay(\n        wechatpay_type=WeChatPayType.MINIPROG,\n        mchid=MCHID,\n        private_key=PRIVATE_KEY,\n        cert_serial_no=CERT_SERIAL_NO,\n        apiv3_key=APIV3_KEY,\n        appid=APPID,\n        notify_url=NOTIFY_URL,\n        public_key=PUBLIC_KEY,\n        public_key_id=PUBLIC_KEY_ID,\n    )\n",
        header("#", v),
        py(&v.mchid),
        py(&v.appid),
        py(&v.serial),
        py(&v.api_key_v3),
        py(NOTIFY_URL_PLACEHOLDER),
        py(KEY_FILE_NAME),
    )
}

fn ijpay(v: &Values) -> String {
    let mut s = header("#", v);
    let mut kv = |k: &str, val: &str| s.push_str(&format!("{k}={}\n", prop(val)));
    kv("wxpay.appId", &v.appid);
    kv("wxpay.appSecret", &v.mp_appsecret);
    kv("wxpay.mchId", &v.mchid);
    kv("wxpay.partnerKey", &v.api_key_v2);
    kv("wxpay.apiKey3", &v.api_key_v3);
    kv("wxpay.keyPath", KEY_FILE_NAME);
    kv("wxpay.certPath", CERT_FILE_NAME);
    kv("wxpay.certP12Path", "apiclient_cert.p12");
    kv("wxpay.domain", NOTIFY_URL_PLACEHOLDER);
    s
}

fn shop_json(format: Format, v: &Values) -> String {
    use serde_json::{Map, Value, json};
    let mut m = Map::new();
    let key_text = if v.secrets_included {
        v.key_pem.clone()
    } else {
        NOT_EXPORTED.to_owned()
    };
    match format {
        Format::Crmeb => {
            m.insert("routine_appId".into(), json!(v.appid));
            m.insert("pay_weixin_mchid".into(), json!(v.mchid));
            m.insert("pay_weixin_key".into(), json!(v.api_key_v2));
            m.insert("pay_weixin_key_v3".into(), json!(v.api_key_v3));
            m.insert("pay_weixin_serial_no".into(), json!(v.serial));
            m.insert("pay_weixin_client_cert".into(), json!(CERT_FILE_NAME));
            m.insert("pay_weixin_client_key".into(), json!(KEY_FILE_NAME));
        }
        Format::Likeadmin => {
            m.insert("mch_id".into(), json!(v.mchid));
            m.insert("pay_sign_key".into(), json!(v.api_key_v2));
            m.insert("apiclient_cert".into(), json!(v.cert_pem));
            m.insert("apiclient_key".into(), json!(key_text));
        }
        _ => {
            m.insert("mini_appid".into(), json!(v.appid));
            m.insert(
                "appid".into(),
                json!(if v.oa_appid.is_empty() {
                    &v.appid
                } else {
                    &v.oa_appid
                }),
            );
            m.insert("mch_id".into(), json!(v.mchid));
            m.insert("key".into(), json!(v.api_key_v2));
            m.insert("apiclient_cert".into(), json!(v.cert_pem));
            m.insert("apiclient_key".into(), json!(key_text));
        }
    }
    m.insert("_generated_by".into(), json!("wxpay-setup"));
    let mut text = serde_json::to_string_pretty(&Value::Object(m)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.name()), Some(f));
        }
        assert_eq!(Format::parse("bundle"), None);
    }

    #[test]
    fn quoting_is_safe() {
        assert_eq!(php("a'b\\c$d"), "'a\\'b\\\\c$d'");
        assert_eq!(dq("a\"b\\c\nd\u{7}"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(prop("a=b:c#d!e\\f商"), "a\\=b\\:c\\#d\\!e\\\\f\\u5546");
    }
}
