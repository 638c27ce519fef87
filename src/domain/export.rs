//! Config for every common stack (facts file, section 5), loadable as the upstream
//! project loads it. Each renderer writes one main file (IJPay: two) that refers to the
//! PEM files written beside it by absolute path (or by `__DIR__`/`__file__` in PHP and
//! Python), because a bare file name resolves against the working directory of whatever
//! runs it. Secrets (API keys, the private key) appear only when the caller includes
//! them; otherwise their place holds [`NOT_EXPORTED`], so the file still parses. The
//! `.p12` that WxJava and IJPay load is made from the key and certificate as `cert save`
//! makes it (password: the MCHID), so it too comes only with the secrets. A file the
//! export cannot write (no certificate imported, `pub_key.pem` when only its ID is
//! known, platform certificates) is never named as if it were there: its place holds
//! [`MISSING_FILE`] and a note in the file says what to do.

use std::collections::BTreeMap;
use std::path::Path;

use super::backend_form::{CERT_FILE_NAME, KEY_FILE_NAME};
use super::profile::{Profile, SecretField};
use super::secret::Secret;

pub const NOT_EXPORTED: &str = "NOT_EXPORTED";
/// Stands where a file belongs that this export could not write; a note says which.
pub const MISSING_FILE: &str = "MISSING_FILE";
pub const PUBLIC_KEY_FILE_NAME: &str = "pub_key.pem";
/// WXCertUtil's PKCS#12 file (password: the MCHID), made from the key and certificate.
pub const P12_FILE_NAME: &str = "apiclient_cert.p12";
/// IJPay's v3 settings file, beside `wxpay.properties`.
pub const IJPAY_V3_FILE_NAME: &str = "wxpay_v3.properties";
/// The shop's own base URL, which only its developer knows.
pub const SITE_URL_PLACEHOLDER: &str = "https://your-shop.example.com";
/// Where WeChat Pay calls back: the shop's own URL, which only its developer knows.
pub const NOTIFY_URL_PLACEHOLDER: &str = "https://your-shop.example.com/wxpay/notify";
/// How wechatpay-php's CertificateDownloader names the platform certificates it saves.
const PLATFORM_CERT_PREFIX: &str = "wechatpay_";
/// Where the Python SDK keeps the platform certificates it downloads.
const PYTHON_CERT_DIR: &str = "wechatpay_platform_certs";

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
    /// Binary files beside it that hold the private key (the `.p12`): written
    /// readable by the owner only, wiped from memory on drop.
    pub secret_files: Vec<(String, zeroize::Zeroizing<Vec<u8>>)>,
}

impl Format {
    /// Whether the format's consumer loads the `.p12` (WxJava's `key-path`,
    /// IJPay's `certPath` and `certP12Path`).
    pub fn uses_p12(self) -> bool {
        matches!(self, Format::WxJava | Format::IjPay)
    }
}

/// A file the config refers to: written beside it, or why not.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FileRef {
    Written(&'static str),
    /// A secret the user chose not to export.
    NotExported,
    /// Not available to this export; a note says what to do.
    Missing,
}

/// The export folder and what is in it: every renderer asks here for a path.
struct Layout<'a> {
    v: &'a Values,
    /// The export folder as given (absolute when the caller made it so).
    dir: &'a Path,
    cert: FileRef,
    key: FileRef,
    /// Only meaningful in public-key mode.
    public: FileRef,
    /// The `.p12` (formats that load one).
    p12: FileRef,
}

impl<'a> Layout<'a> {
    fn new(v: &'a Values, dir: &'a Path, p12_made: bool) -> Layout<'a> {
        Layout {
            v,
            dir,
            p12: if !v.secrets_included {
                FileRef::NotExported
            } else if p12_made {
                FileRef::Written(P12_FILE_NAME)
            } else {
                FileRef::Missing
            },
            cert: if v.has_cert {
                FileRef::Written(CERT_FILE_NAME)
            } else {
                FileRef::Missing
            },
            key: if !v.secrets_included {
                FileRef::NotExported
            } else if v.key_pem != NOT_EXPORTED {
                FileRef::Written(KEY_FILE_NAME)
            } else {
                FileRef::Missing
            },
            public: if v.public_key_mode() && !v.public_key_pem.is_empty() {
                FileRef::Written(PUBLIC_KEY_FILE_NAME)
            } else {
                FileRef::Missing
            },
        }
    }

    /// The file's path inside the export folder.
    fn join(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// The folder, for a comment.
    fn shown_dir(&self) -> String {
        comment_safe(&self.dir.display().to_string())
    }

    /// The file's full path, or the marker in its place.
    fn abs(&self, f: FileRef) -> String {
        match f {
            FileRef::Written(name) => self.join(name),
            FileRef::NotExported => NOT_EXPORTED.to_owned(),
            FileRef::Missing => MISSING_FILE.to_owned(),
        }
    }

    /// Notes on the files that are not there, one line each, each naming [`MISSING_FILE`].
    fn missing_notes(&self, uses_public_key: bool) -> Vec<String> {
        let mut notes = Vec::new();
        if self.cert == FileRef::Missing {
            notes.push(format!(
                "{MISSING_FILE}: {CERT_FILE_NAME}: no merchant certificate was imported. Import the WXCertUtil zip in wxpay-setup and export again."
            ));
        }
        if self.key == FileRef::Missing {
            notes.push(format!(
                "{MISSING_FILE}: {KEY_FILE_NAME}: no private key was imported. Import the WXCertUtil zip (it holds the key) in wxpay-setup and export again."
            ));
        }
        if uses_public_key && self.v.public_key_mode() && self.public == FileRef::Missing {
            notes.push(format!(
                "{MISSING_FILE}: {PUBLIC_KEY_FILE_NAME}: only the public key ID {} is known. Download the WeChat Pay public key (merchant platform: 账户中心 -> API安全 -> 微信支付公钥), save it as {} and put that path where {MISSING_FILE} stands (or add it in wxpay-setup and export again).",
                self.v.public_key_id,
                comment_safe(&self.join(PUBLIC_KEY_FILE_NAME))
            ));
        }
        notes
    }

    /// Why the `.p12` is not there, for the formats that load one.
    fn p12_note(&self) -> Option<String> {
        (self.p12 == FileRef::Missing).then(|| {
            format!(
                "{MISSING_FILE}: {P12_FILE_NAME}: it is made from the merchant certificate and its private key, and one of them was not imported. Import the WXCertUtil zip in wxpay-setup and export again (or copy the zip's {P12_FILE_NAME} into {} and put its full path here; password: the merchant number).",
                self.shown_dir()
            )
        })
    }

    /// How a certificate-mode merchant gets the platform certificates (wechatpay-php's
    /// downloader, which saves `wechatpay_<serial>.pem` files into the folder given).
    fn downloader_note(&self, comment: &str) -> String {
        // shell words, as the user will paste them
        let sh = |s: &str| format!("'{}'", comment_safe(s).replace('\'', "'\\''"));
        let key = sh(&self.abs(self.key));
        let dir = sh(&self.dir.display().to_string());
        [
            "Platform certificates: this merchant uses certificate mode, and the SDK does not download them.".to_owned(),
            "Download them once into this folder with wechatpay-php's CertificateDownloader (composer require wechatpay/wechatpay):".to_owned(),
            format!(
                "  php vendor/bin/CertificateDownloader.php -k <APIv3 key> -m {} -s {} -f {key} -o {dir}",
                self.v.mchid, self.v.serial,
            ),
            format!("It saves each one as {PLATFORM_CERT_PREFIX}<serial>.pem; this file loads every such file found here."),
            "Or, if the merchant platform (API安全) shows a WeChat Pay public key, add its ID and public key file in wxpay-setup and export again.".to_owned(),
        ]
        .iter()
        .map(|l| format!("{comment} {l}\n"))
        .collect()
    }
}

pub fn render(format: Format, v: &Values, dir: &Path) -> Rendered {
    // the .p12 its consumer loads, made as `cert save` makes it (3DES, SHA-1 MAC,
    // password = the MCHID), from the key and certificate the export writes
    let p12 = (format.uses_p12() && v.secrets_included && v.has_cert && v.key_pem != NOT_EXPORTED)
        .then(|| {
            let key = super::secret::Secret::new(v.key_pem.clone());
            super::cert::wxcertutil::p12_file(&v.cert_pem, &key, &v.mchid).ok()
        })
        .flatten();
    let l = Layout::new(v, dir, p12.is_some());
    let mut files = vec![];
    let main = match format {
        Format::Env => env(&l),
        Format::EasyWeChat5 => easywechat5(&l),
        Format::EasyWeChat6 => easywechat6(&l),
        Format::WxJava => wxjava(&l),
        Format::WechatpayGo => go(&l),
        Format::WechatpayJava => java(&l),
        Format::WechatpayPhp => wechatpay_php(&l),
        Format::PythonWechatpayv3 => python(&l),
        Format::IjPay => {
            let (v2, v3) = ijpay(&l);
            files.push((IJPAY_V3_FILE_NAME.to_owned(), v3));
            v2
        }
        Format::Crmeb | Format::Likeadmin | Format::Shopxo => shop_json(format, &l),
    };
    files.insert(0, (format.file_name().to_owned(), main));
    if v.has_cert {
        files.push((CERT_FILE_NAME.to_owned(), v.cert_pem.clone()));
    }
    if l.key == FileRef::Written(KEY_FILE_NAME) {
        files.push((KEY_FILE_NAME.to_owned(), v.key_pem.clone()));
    }
    if l.public == FileRef::Written(PUBLIC_KEY_FILE_NAME) {
        files.push((
            PUBLIC_KEY_FILE_NAME.to_owned(),
            format!("{}\n", v.public_key_pem),
        ));
    }
    let secret_files = p12
        .map(|bytes| vec![(P12_FILE_NAME.to_owned(), bytes)])
        .unwrap_or_default();
    Rendered {
        files,
        secret_files,
    }
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

/// dotenv: single quotes are literal in every dotenv reader (no `$VAR` expansion, no
/// escapes), so they are used unless the value holds a `'` or a line break; then double
/// quotes with `\\`, `\"`, `\$` and `\n` escaped, as dotenvy reads them.
fn env_value(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect();
    if !s.contains(['\'', '\n']) {
        return format!("'{s}'");
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
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

/// Text that stays inside a one-line comment in every language: no line breaks, and no
/// `?>` (which ends PHP code even inside a `//` comment).
fn comment_safe(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect::<String>()
        .replace("?>", "? >")
}

/// A PHP expression for a file beside the config: `__DIR__ . '/name'`, or the marker.
fn php_path(f: FileRef) -> String {
    match f {
        FileRef::Written(name) => format!("__DIR__ . {}", php(&format!("/{name}"))),
        FileRef::NotExported => php(NOT_EXPORTED),
        FileRef::Missing => php(MISSING_FILE),
    }
}

/// A Python expression for a file beside the config, or the marker.
fn py_path(f: FileRef) -> String {
    match f {
        FileRef::Written(name) => format!("os.path.join(HERE, {})", py(name)),
        FileRef::NotExported => py(NOT_EXPORTED),
        FileRef::Missing => py(MISSING_FILE),
    }
}

/// The opening comment: who wrote it, what to replace, and the notes on missing files.
fn header(comment: &str, l: &Layout<'_>, uses_public_key: bool, notify: &str) -> String {
    let mut h = format!("{comment} WeChat Pay configuration written by wxpay-setup.\n");
    if !l.v.secrets_included {
        h.push_str(&format!(
            "{comment} Secrets were not exported: replace {NOT_EXPORTED} with the values (for the private key: the full path of your {KEY_FILE_NAME}), or export with secrets.\n"
        ));
    }
    for note in l.missing_notes(uses_public_key) {
        h.push_str(&format!("{comment} {note}\n"));
    }
    h.push_str(&format!("{comment} {notify}\n"));
    h
}

/// Why a file names its PEM files by full path, and what to do when they move.
fn absolute_note(runtime: &str) -> String {
    format!(
        "Paths are absolute because {runtime} resolves a bare file name against the working directory: if you move these files (to the server), change the paths to where they are."
    )
}

const NOTIFY_NOTE: &str = "Set the notify URL to your shop's own callback address.";

// ----- renderers --------------------------------------------------------------------

fn env(l: &Layout<'_>) -> String {
    let v = l.v;
    let mut s = header("#", l, true, NOTIFY_NOTE);
    s.push_str(&format!("# {}\n", absolute_note("a program")));
    let mut kv = |k: &str, val: &str| s.push_str(&format!("{k}={}\n", env_value(val)));
    kv("WXPAY_APPID", &v.appid);
    if !v.oa_appid.is_empty() {
        kv("WXPAY_OA_APPID", &v.oa_appid);
    }
    kv("WXPAY_MCHID", &v.mchid);
    kv("WXPAY_API_KEY", &v.api_key_v2);
    kv("WXPAY_API_V3_KEY", &v.api_key_v3);
    kv("WXPAY_CERT_SERIAL_NO", &v.serial);
    kv("WXPAY_CERT_PATH", &l.abs(l.cert));
    kv("WXPAY_KEY_PATH", &l.abs(l.key));
    if v.public_key_mode() {
        kv("WXPAY_PUBLIC_KEY_ID", &v.public_key_id);
        kv("WXPAY_PUBLIC_KEY_PATH", &l.abs(l.public));
    }
    kv("WXPAY_NOTIFY_URL", NOTIFY_URL_PLACEHOLDER);
    s
}

fn easywechat5(l: &Layout<'_>) -> String {
    let v = l.v;
    format!(
        "<?php\n{}\nreturn [\n    'app_id' => {},\n    'mch_id' => {},\n    'key' => {},\n    'cert_path' => {},\n    'key_path' => {},\n    'notify_url' => {},\n];\n",
        header("//", l, false, NOTIFY_NOTE),
        php(&v.appid),
        php(&v.mchid),
        php(&v.api_key_v2),
        php_path(l.cert),
        php_path(l.key),
        php(NOTIFY_URL_PLACEHOLDER),
    )
}

fn easywechat6(l: &Layout<'_>) -> String {
    let v = l.v;
    let platform = if v.public_key_mode() {
        match l.public {
            FileRef::Written(_) => format!(
                "    // WeChat Pay public-key mode: the public key, keyed by its ID.\n    'platform_certs' => [\n        {} => {},\n    ],\n",
                php(&v.public_key_id),
                php_path(l.public)
            ),
            _ => format!(
                "    // {MISSING_FILE}: {PUBLIC_KEY_FILE_NAME} (see the note at the top). Once it is in this folder: [{} => __DIR__ . '/{PUBLIC_KEY_FILE_NAME}']\n    'platform_certs' => [],\n",
                php(&v.public_key_id)
            ),
        }
    } else {
        format!(
            "{}    'platform_certs' => glob(__DIR__ . {}) ?: [],\n",
            l.downloader_note("    //"),
            php(&format!("/{PLATFORM_CERT_PREFIX}*.pem"))
        )
    };
    format!(
        "<?php\n{}\nreturn [\n    'mch_id' => {},\n    'private_key' => {},\n    'certificate' => {},\n    // the APIv3 key\n    'secret_key' => {},\n    'v2_secret_key' => {},\n{platform}    'notify_url' => {},\n];\n",
        header("//", l, true, NOTIFY_NOTE),
        php(&v.mchid),
        php_path(l.key),
        php_path(l.cert),
        php(&v.api_key_v3),
        php(&v.api_key_v2),
        php(NOTIFY_URL_PLACEHOLDER),
    )
}

fn wxjava(l: &Layout<'_>) -> String {
    let v = l.v;
    let mut s = header("#", l, true, NOTIFY_NOTE);
    s.push_str(&format!("# {}\n", absolute_note("WxJava")));
    s.push_str("wx:\n  pay:\n");
    let mut kv = |k: &str, val: &str| s.push_str(&format!("    {k}: {}\n", dq(val)));
    kv("app-id", &v.appid);
    kv("mch-id", &v.mchid);
    kv("mch-key", &v.api_key_v2);
    kv("private-key-path", &l.abs(l.key));
    kv("private-cert-path", &l.abs(l.cert));
    kv("cert-serial-no", &v.serial);
    kv("api-v3-key", &v.api_key_v3);
    if v.public_key_mode() {
        kv("public-key-id", &v.public_key_id);
        kv("public-key-path", &l.abs(l.public));
    }
    kv("notify-url", NOTIFY_URL_PLACEHOLDER);
    // the .p12 (password: the merchant number), for the APIv2 calls that need it (refunds)
    if let Some(note) = l.p12_note() {
        s.push_str(&format!("    # {note}\n"));
    }
    let mut kv = |k: &str, val: &str| s.push_str(&format!("    {k}: {}\n", dq(val)));
    kv("key-path", &l.abs(l.p12));
    s
}

fn go(l: &Layout<'_>) -> String {
    let v = l.v;
    let mut consts = vec![
        ("AppID", dq(&v.appid)),
        ("mchID", dq(&v.mchid)),
        ("mchCertificateSerialNumber", dq(&v.serial)),
        ("mchAPIv3Key", dq(&v.api_key_v3)),
        ("mchPrivateKeyPath", dq(&l.abs(l.key))),
    ];
    let (opt, extra) = if v.public_key_mode() {
        consts.push(("wechatPayPublicKeyID", dq(&v.public_key_id)));
        consts.push(("wechatPayPublicKeyPath", dq(&l.abs(l.public))));
        (
            "option.WithWechatPayPublicKeyAuthCipher(mchID, mchCertificateSerialNumber, mchPrivateKey, wechatPayPublicKeyID, wechatPayPublicKey)",
            "\twechatPayPublicKey, err := utils.LoadPublicKeyWithPath(wechatPayPublicKeyPath)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n",
        )
    } else {
        (
            "option.WithWechatPayAutoAuthCipher(mchID, mchCertificateSerialNumber, mchPrivateKey, mchAPIv3Key)",
            "",
        )
    };
    // gofmt aligns the `=` of a const block
    let width = consts.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let consts: String = consts
        .iter()
        .map(|(k, val)| format!("\t{k:width$} = {val}\n"))
        .collect();
    format!(
        "{}// {}\n\npackage wxpayconfig\n\nimport (\n\t\"context\"\n\n\t\"github.com/wechatpay-apiv3/wechatpay-go/core\"\n\t\"github.com/wechatpay-apiv3/wechatpay-go/core/option\"\n\t\"github.com/wechatpay-apiv3/wechatpay-go/utils\"\n)\n\nconst (\n{consts})\n\n// NewClient builds a WeChat Pay APIv3 client.\nfunc NewClient(ctx context.Context) (*core.Client, error) {{\n\tmchPrivateKey, err := utils.LoadPrivateKeyWithPath(mchPrivateKeyPath)\n\tif err != nil {{\n\t\treturn nil, err\n\t}}\n{extra}\treturn core.NewClient(ctx, {opt})\n}}\n",
        header("//", l, true, NOTIFY_NOTE),
        absolute_note("Go"),
    )
}

fn java(l: &Layout<'_>) -> String {
    let v = l.v;
    let mut fields = vec![
        ("APP_ID", dq(&v.appid)),
        ("MERCHANT_ID", dq(&v.mchid)),
        ("MERCHANT_SERIAL_NUMBER", dq(&v.serial)),
        ("API_V3_KEY", dq(&v.api_key_v3)),
        ("PRIVATE_KEY_PATH", dq(&l.abs(l.key))),
    ];
    let config = if v.public_key_mode() {
        fields.push(("PUBLIC_KEY_ID", dq(&v.public_key_id)));
        fields.push(("PUBLIC_KEY_PATH", dq(&l.abs(l.public))));
        "new RSAPublicKeyConfig.Builder()\n                .merchantId(MERCHANT_ID)\n                .privateKeyFromPath(PRIVATE_KEY_PATH)\n                .merchantSerialNumber(MERCHANT_SERIAL_NUMBER)\n                .apiV3Key(API_V3_KEY)\n                .publicKeyFromPath(PUBLIC_KEY_PATH)\n                .publicKeyId(PUBLIC_KEY_ID)\n                .build()"
    } else {
        "new RSAAutoCertificateConfig.Builder()\n                .merchantId(MERCHANT_ID)\n                .privateKeyFromPath(PRIVATE_KEY_PATH)\n                .merchantSerialNumber(MERCHANT_SERIAL_NUMBER)\n                .apiV3Key(API_V3_KEY)\n                .build()"
    };
    let import = if v.public_key_mode() {
        "RSAPublicKeyConfig"
    } else {
        "RSAAutoCertificateConfig"
    };
    let fields: String = fields
        .iter()
        .map(|(k, val)| format!("    public static final String {k} = {val};\n"))
        .collect();
    format!(
        "{}// {}\n\nimport com.wechat.pay.java.core.Config;\nimport com.wechat.pay.java.core.{import};\n\npublic final class WechatPayConfig {{\n{fields}\n    private WechatPayConfig() {{}}\n\n    public static Config build() {{\n        return {config};\n    }}\n}}\n",
        header("//", l, true, NOTIFY_NOTE),
        absolute_note("Java"),
    )
}

fn wechatpay_php(l: &Layout<'_>) -> String {
    let v = l.v;
    let private_key = match l.key {
        FileRef::Written(name) => format!("'file://' . __DIR__ . {}", php(&format!("/{name}"))),
        other => php(&format!("file://{}", l.abs(other))),
    };
    let platform = if v.public_key_mode() {
        match l.public {
            FileRef::Written(name) => format!(
                "// WeChat Pay public-key mode: the public key, keyed by its ID.\n$platformCerts = [\n    {} => Rsa::from('file://' . __DIR__ . {}, Rsa::KEY_TYPE_PUBLIC),\n];\n",
                php(&v.public_key_id),
                php(&format!("/{name}"))
            ),
            _ => format!(
                "// {MISSING_FILE}: {PUBLIC_KEY_FILE_NAME} (see the note at the top). Once it is in this folder, replace the next two lines with: $platformCerts = [{} => Rsa::from('file://' . __DIR__ . '/{PUBLIC_KEY_FILE_NAME}', Rsa::KEY_TYPE_PUBLIC)];\n$platformCerts = [];\nthrow new \\RuntimeException({});\n",
                php(&v.public_key_id),
                php(&format!(
                    "{MISSING_FILE}: the WeChat Pay public key ({}) is not in this folder: see the note at the top of this file.",
                    v.public_key_id
                ))
            ),
        }
    } else {
        format!(
            "{}$platformCerts = [];\nforeach (glob(__DIR__ . {}) ?: [] as $file) {{\n    $platformCerts[substr(basename($file, '.pem'), strlen({}))] = Rsa::from('file://' . $file, Rsa::KEY_TYPE_PUBLIC);\n}}\nif ($platformCerts === []) {{\n    throw new \\RuntimeException('No WeChat Pay platform certificate in ' . __DIR__ . {});\n}}\n",
            l.downloader_note("//"),
            php(&format!("/{PLATFORM_CERT_PREFIX}*.pem")),
            php(PLATFORM_CERT_PREFIX),
            php(
                ": download them with wechatpay-php's CertificateDownloader (see the comment in this file)."
            )
        )
    };
    format!(
        "<?php\n{}\nuse WeChatPay\\Builder;\nuse WeChatPay\\Crypto\\Rsa;\n\n$merchantId = {};\n$merchantCertificateSerial = {};\n$merchantPrivateKeyInstance = Rsa::from({private_key}, Rsa::KEY_TYPE_PRIVATE);\n\n{platform}\nreturn Builder::factory([\n    'mchid' => $merchantId,\n    'serial' => $merchantCertificateSerial,\n    'privateKey' => $merchantPrivateKeyInstance,\n    'certs' => $platformCerts,\n    // the APIv2 key, for the XML APIs\n    'secret' => {},\n]);\n",
        header("//", l, true, NOTIFY_NOTE),
        php(&v.mchid),
        php(&v.serial),
        php(&v.api_key_v2),
    )
}

fn python(l: &Layout<'_>) -> String {
    let v = l.v;
    let mode = if v.public_key_mode() {
        format!(
            "# WeChat Pay public-key mode: the public key and its ID.\nCERT_DIR = None\nPUBLIC_KEY_ID = {}\nPUBLIC_KEY_FILE = {}\n",
            py(&v.public_key_id),
            py_path(l.public)
        )
    } else {
        format!(
            "# Certificate mode: the SDK downloads the platform certificates at its first start\n# and keeps them in CERT_DIR.\nCERT_DIR = os.path.join(HERE, {})\nPUBLIC_KEY_ID = None\nPUBLIC_KEY_FILE = None\n",
            py(PYTHON_CERT_DIR)
        )
    };
    format!(
        "{}\nimport os\n\nfrom wechatpayv3 import WeChatPay, WeChatPayType\n\nHERE = os.path.dirname(os.path.abspath(__file__))\n\nMCHID = {}\nAPPID = {}\nCERT_SERIAL_NO = {}\nAPIV3_KEY = {}\nNOTIFY_URL = {}\nPRIVATE_KEY_FILE = {}\n{mode}\n\ndef _read(path):\n    if path is None:\n        return None\n    with open(path, encoding=\"utf-8\") as f:\n        return f.read()\n\n\ndef client():\n    return WeChatPay(\n        wechatpay_type=WeChatPayType.MINIPROG,\n        mchid=MCHID,\n        private_key=_read(PRIVATE_KEY_FILE),\n        cert_serial_no=CERT_SERIAL_NO,\n        apiv3_key=APIV3_KEY,\n        appid=APPID,\n        notify_url=NOTIFY_URL,\n        cert_dir=CERT_DIR,\n        public_key=_read(PUBLIC_KEY_FILE),\n        public_key_id=PUBLIC_KEY_ID,\n    )\n",
        header("#", l, true, NOTIFY_NOTE),
        py(&v.mchid),
        py(&v.appid),
        py(&v.serial),
        py(&v.api_key_v3),
        py(NOTIFY_URL_PLACEHOLDER),
        py_path(l.key),
    )
}

/// IJPay's Spring Boot demo: v2 in `wxpay.properties` (prefix `wxpay.`), v3 in
/// `wxpay_v3.properties` (prefix `v3.`).
fn ijpay(l: &Layout<'_>) -> (String, String) {
    let v = l.v;
    let domain_note = "Set domain to your site's base URL: the demo appends its own notify path.";
    // the .p12 (password: the merchant number), or why it is not there
    let p12_note = l.p12_note().map(|n| format!("# {n}\n")).unwrap_or_else(|| {
        "# The .p12 below opens with the merchant number as its password.\n".to_owned()
    });
    let mut v2 = header("#", l, false, domain_note);
    let kv = |s: &mut String, k: &str, val: &str| s.push_str(&format!("{k}={}\n", prop(val)));
    kv(&mut v2, "wxpay.appId", &v.appid);
    kv(&mut v2, "wxpay.appSecret", &v.mp_appsecret);
    kv(&mut v2, "wxpay.mchId", &v.mchid);
    kv(&mut v2, "wxpay.partnerKey", &v.api_key_v2);
    v2.push_str(&p12_note);
    kv(&mut v2, "wxpay.certPath", &l.abs(l.p12));
    kv(&mut v2, "wxpay.domain", SITE_URL_PLACEHOLDER);

    let mut v3 = header("#", l, false, domain_note);
    v3.push_str(&format!("# {}\n", absolute_note("Java")));
    kv(&mut v3, "v3.appId", &v.appid);
    kv(&mut v3, "v3.mchId", &v.mchid);
    kv(&mut v3, "v3.apiKey", &v.api_key_v2);
    kv(&mut v3, "v3.apiKey3", &v.api_key_v3);
    kv(&mut v3, "v3.keyPath", &l.abs(l.key));
    kv(&mut v3, "v3.certPath", &l.abs(l.cert));
    v3.push_str(&p12_note);
    kv(&mut v3, "v3.certP12Path", &l.abs(l.p12));
    if v.public_key_mode() {
        v3.push_str(&format!(
            "# {MISSING_FILE}: this merchant uses the WeChat Pay public key ({}), but the IJPay demo verifies replies only with a platform certificate file: the public key is not one.\n",
            v.public_key_id
        ));
    } else {
        v3.push_str(&format!(
            "# {MISSING_FILE}: the platform certificate. The demo's /v3/get call downloads it and saves it to this path: set it to a file in {} and call /v3/get once.\n",
            l.shown_dir()
        ));
    }
    kv(&mut v3, "v3.platformCertPath", MISSING_FILE);
    kv(&mut v3, "v3.domain", SITE_URL_PLACEHOLDER);
    (v2, v3)
}

fn shop_json(format: Format, l: &Layout<'_>) -> String {
    use serde_json::{Map, Value, json};
    let v = l.v;
    let mut m = Map::new();
    // Shop backends take the PEM text itself (likeadmin, ShopXO) or an uploaded file (CRMEB).
    let key_text = match l.key {
        FileRef::Written(_) => v.key_pem.clone(),
        other => l.abs(other),
    };
    let cert_text = if v.has_cert {
        v.cert_pem.clone()
    } else {
        MISSING_FILE.to_owned()
    };
    let file_name = |f: FileRef| match f {
        FileRef::Written(name) => name.to_owned(),
        other => l.abs(other),
    };
    match format {
        Format::Crmeb => {
            m.insert("routine_appId".into(), json!(v.appid));
            m.insert("routine_appsecret".into(), json!(v.mp_appsecret));
            m.insert("pay_weixin_mchid".into(), json!(v.mchid));
            m.insert("pay_weixin_key".into(), json!(v.api_key_v2));
            m.insert("pay_weixin_key_v3".into(), json!(v.api_key_v3));
            m.insert("pay_weixin_serial_no".into(), json!(v.serial));
            m.insert("pay_weixin_client_cert".into(), json!(file_name(l.cert)));
            m.insert("pay_weixin_client_key".into(), json!(file_name(l.key)));
        }
        Format::Likeadmin => {
            // likeadmin hands these to EasyWeChat 6: pay_sign_key is the APIv3 key.
            m.insert("interface_version".into(), json!("v3"));
            m.insert("merchant_type".into(), json!("ordinary_merchant"));
            m.insert("mch_id".into(), json!(v.mchid));
            m.insert("pay_sign_key".into(), json!(v.api_key_v3));
            m.insert("apiclient_cert".into(), json!(cert_text));
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
            m.insert("apiclient_cert".into(), json!(cert_text));
            m.insert("apiclient_key".into(), json!(key_text));
        }
    }
    m.insert("_generated_by".into(), json!("wxpay-setup"));
    let notes = l.missing_notes(false);
    if !notes.is_empty() {
        m.insert("_notes".into(), json!(notes));
    }
    let mut text = serde_json::to_string_pretty(&Value::Object(m)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The format names the CLI's help promises (`cli.arg_format`, both languages) are
    /// exactly the ones `--format` parses, in the same order, and no two formats write
    /// the same main file (a batch export would overwrite one with the other).
    #[test]
    fn help_lists_exactly_the_formats_and_file_names_are_distinct() {
        let names: Vec<&str> = std::iter::once("bundle")
            .chain(Format::ALL.iter().map(|f| f.name()))
            .collect();
        for (lang, text) in [
            ("en", include_str!("../../i18n/en.toml")),
            ("zh-CN", include_str!("../../i18n/zh-CN.toml")),
        ] {
            let table: toml::Table = toml::from_str(text).unwrap();
            let help = table["cli"]["arg_format"].as_str().unwrap();
            let listed: Vec<&str> = help
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .filter(|w| names.contains(w))
                .collect();
            assert_eq!(listed, names, "{lang} cli.arg_format: {help}");
        }
        for f in Format::ALL {
            assert_eq!(Format::parse(&format!(" {} ", f.name())), Some(f));
        }
        let files: std::collections::BTreeSet<&str> =
            Format::ALL.iter().map(|f| f.file_name()).collect();
        assert_eq!(files.len(), Format::ALL.len());
        assert!(!files.contains(IJPAY_V3_FILE_NAME));
    }

    #[test]
    fn quoting_is_safe() {
        assert_eq!(php("a'b\\c$d"), "'a\\'b\\\\c$d'");
        assert_eq!(dq("a\"b\\c\nd\u{7}"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(prop("a=b:c#d!e\\f商"), "a\\=b\\:c\\#d\\!e\\\\f\\u5546");
        assert_eq!(comment_safe("a\nb?>c"), "a?b? >c");
        assert_eq!(env_value("a $HOME #b\"c\\"), "'a $HOME #b\"c\\'");
        assert_eq!(env_value("it's $HOME\n"), "\"it's \\$HOME\\n\"");
    }
}
