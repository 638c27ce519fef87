//! Test fixtures made by real generators: RSA keys (the `rsa` crate), X.509
//! certificates signed by a test "Tenpay" CA (rcgen), p12 files (openssl), and
//! zip archives, including hostile ones written byte by byte.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rcgen::{
    BasicConstraints, CertificateParams, CertificateSigningRequestParams, DistinguishedName,
    DnType, IsCa, Issuer, KeyPair, PKCS_RSA_SHA256, SerialNumber,
};
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use time::{Duration, OffsetDateTime};

pub const MCHID: &str = "1900006031";
pub const COMPANY: &str = "深圳市某某科技有限公司";

/// A fresh 2048-bit RSA key as PKCS#8 PEM (WXCertUtil's format).
pub fn new_rsa_key_pem() -> String {
    let key = rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).expect("rsa keygen");
    key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string()
}

/// Key generation is slow: each test binary makes a few and shares them.
pub fn key_a() -> &'static str {
    static K: OnceLock<String> = OnceLock::new();
    K.get_or_init(new_rsa_key_pem)
}
pub fn key_b() -> &'static str {
    static K: OnceLock<String> = OnceLock::new();
    K.get_or_init(new_rsa_key_pem)
}
fn ca_key() -> &'static str {
    static K: OnceLock<String> = OnceLock::new();
    K.get_or_init(new_rsa_key_pem)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CaKind {
    Tenpay,
    Legacy,
    Other,
}

pub struct CertSpec<'a> {
    pub mchid: &'a str,
    pub company: &'a str,
    pub ca: CaKind,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub key_pem: &'a str,
    pub serial: [u8; 20],
}

impl Default for CertSpec<'_> {
    fn default() -> Self {
        let now = OffsetDateTime::now_utc();
        CertSpec {
            mchid: MCHID,
            company: COMPANY,
            ca: CaKind::Tenpay,
            not_before: now - Duration::days(30),
            not_after: now + Duration::days(5 * 365 - 30),
            key_pem: key_a(),
            serial: SERIAL,
        }
    }
}

/// A 20-byte serial whose first byte keeps it positive (no DER padding byte).
pub const SERIAL: [u8; 20] = [
    0x44, 0x4F, 0x48, 0x64, 0xEA, 0x9B, 0x34, 0x41, 0x5C, 0x2E, 0x01, 0x9A, 0x2B, 0x77, 0x30, 0x10,
    0xC4, 0x5D, 0x19, 0x6F,
];
pub const SERIAL_HEX: &str = "444F4864EA9B34415C2E019A2B773010C45D196F";

fn rsa_keypair(pem: &str) -> KeyPair {
    KeyPair::from_pem_and_sign_algo(pem, &PKCS_RSA_SHA256).expect("rcgen accepts the rsa key")
}

fn ca_params(kind: CaKind) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    match kind {
        CaKind::Tenpay => {
            dn.push(DnType::CountryName, "CN");
            dn.push(DnType::OrganizationName, "Tenpay.com");
            dn.push(DnType::OrganizationalUnitName, "Tenpay.com CA Center");
            dn.push(DnType::CommonName, "Tenpay.com Root CA");
        }
        CaKind::Legacy => {
            dn.push(DnType::CountryName, "CN");
            dn.push(DnType::OrganizationName, "Tencent");
            dn.push(DnType::OrganizationalUnitName, "WXG");
            dn.push(DnType::CommonName, "MmpaymchCA");
        }
        CaKind::Other => {
            dn.push(DnType::CommonName, "Some Other CA");
        }
    }
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p
}

/// A merchant certificate laid out as WeChat Pay issues them, as PEM.
pub fn merchant_cert_pem(spec: &CertSpec<'_>) -> String {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    match spec.ca {
        CaKind::Legacy => {
            dn.push(DnType::CountryName, "CN");
            dn.push(DnType::OrganizationalUnitName, "MMPay");
            dn.push(DnType::CommonName, spec.company);
            // the MCHID in surname (2.5.4.4, openssl's `SN`), not serialNumber (2.5.4.5)
            dn.push(DnType::CustomDnType(vec![2, 5, 4, 4]), spec.mchid);
        }
        _ => {
            dn.push(DnType::CommonName, spec.mchid);
            dn.push(DnType::OrganizationName, "微信商户系统");
            dn.push(DnType::OrganizationalUnitName, spec.company);
            dn.push(DnType::LocalityName, "ShenZhen");
            dn.push(DnType::CountryName, "CN");
        }
    }
    p.distinguished_name = dn;
    p.serial_number = Some(SerialNumber::from_slice(&spec.serial));
    p.not_before = spec.not_before;
    p.not_after = spec.not_after;
    let issuer = Issuer::new(ca_params(spec.ca), rsa_keypair(ca_key()));
    p.signed_by(&rsa_keypair(spec.key_pem), &issuer)
        .expect("signing the merchant certificate")
        .pem()
}

/// apiclient_cert.p12 made by openssl, password = MCHID, as WXCertUtil does.
pub fn p12_bytes(cert_pem: &str, key_pem: &str, mchid: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("c.pem");
    let k = dir.path().join("k.pem");
    let out = dir.path().join("o.p12");
    std::fs::write(&c, cert_pem).unwrap();
    std::fs::write(&k, key_pem).unwrap();
    let status = std::process::Command::new("openssl")
        .args(["pkcs12", "-export", "-in"])
        .arg(&c)
        .arg("-inkey")
        .arg(&k)
        .arg("-out")
        .arg(&out)
        .args(["-passout", &format!("pass:{mchid}")])
        .status()
        .expect("openssl must be installed (scripts/test.sh installs it)");
    assert!(status.success());
    std::fs::read(out).unwrap()
}

pub mod backend_server;
pub mod crmeb_server;
pub mod gui;
pub mod likeadmin;
pub mod shopxo_server;
pub mod stand_in;
pub mod wechat_server;

pub const README_TXT: &str = "证书使用说明：apiclient_cert.p12 是商户证书文件。";

/// The four WXCertUtil files for a certificate and key.
pub fn wxcertutil_files(cert_pem: &str, key_pem: &str, mchid: &str) -> Vec<(String, Vec<u8>)> {
    let dir = format!("{mchid}_20240101_cert/");
    vec![
        (
            format!("{dir}apiclient_cert.p12"),
            p12_bytes(cert_pem, key_pem, mchid),
        ),
        (
            format!("{dir}apiclient_cert.pem"),
            cert_pem.as_bytes().to_vec(),
        ),
        (
            format!("{dir}apiclient_key.pem"),
            key_pem.as_bytes().to_vec(),
        ),
        (
            format!("{dir}证书使用说明.txt"),
            README_TXT.as_bytes().to_vec(),
        ),
    ]
}

/// A zip written with the zip crate (UTF-8 names, deflate).
pub fn write_zip(path: &Path, files: &[(String, Vec<u8>)]) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default();
    for (name, bytes) in files {
        z.start_file(name.as_str(), opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

/// A zip written byte by byte (stored entries), with entry names given as raw
/// bytes and no UTF-8 flag: how old Windows tools write GBK names, and how a
/// hostile archive carries names like `../../x`.
pub fn write_raw_zip(path: &Path, entries: &[(Vec<u8>, Vec<u8>)]) {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32fast::hash(data);
        let local = |buf: &mut Vec<u8>| {
            buf.extend_from_slice(&0x04034b50u32.to_le_bytes());
            buf.extend_from_slice(&20u16.to_le_bytes()); // version needed
            buf.extend_from_slice(&0u16.to_le_bytes()); // flags: no UTF-8 bit
            buf.extend_from_slice(&0u16.to_le_bytes()); // stored
            buf.extend_from_slice(&0u32.to_le_bytes()); // time, date
            buf.extend_from_slice(&crc.to_le_bytes());
            buf.extend_from_slice(&(data.len() as u32).to_le_bytes());
            buf.extend_from_slice(&(data.len() as u32).to_le_bytes());
            buf.extend_from_slice(&(name.len() as u16).to_le_bytes());
            buf.extend_from_slice(&0u16.to_le_bytes());
        };
        local(&mut out);
        out.extend_from_slice(name);
        out.extend_from_slice(data);
        central.extend_from_slice(&0x02014b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes());
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes()); // extra
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attrs
        central.extend_from_slice(&0u32.to_le_bytes()); // external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x06054b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    std::fs::write(path, out).unwrap();
}

/// A complete, valid WXCertUtil zip for MCHID with key A; returns its path.
pub fn good_zip(dir: &Path) -> PathBuf {
    let cert = merchant_cert_pem(&CertSpec::default());
    let path = dir.join(format!("{MCHID}_20240101_cert.zip"));
    write_zip(&path, &wxcertutil_files(&cert, key_a(), MCHID));
    path
}

/// Every file under `dir`, concatenated as text: to search for leaked secrets.
pub fn all_files_text(dir: &Path) -> String {
    let mut out = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else {
            out.push_str(&String::from_utf8_lossy(&std::fs::read(&p).unwrap()));
        }
    }
    out
}

/// The binary with its own config folder and English messages.
pub fn wxpay(config: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_wxpay-setup"));
    c.env("WXPAY_SETUP_CONFIG_DIR", config)
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    c
}

/// A profile name no other test (or test run) uses: keychain entries stay apart.
pub fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}-{}-{nanos}", std::process::id())
}

/// A shop that `profile import` made in a config folder of its own, from an import
/// file in `work` beside a WXCertUtil zip ([`good_zip`]). Dropping it deletes the
/// profile, and with it the shop's keychain entries.
pub struct ImportedShop {
    pub config: tempfile::TempDir,
    pub work: tempfile::TempDir,
    pub name: String,
}

impl ImportedShop {
    /// A shop named `<prefix>-…` (see [`unique_name`]) whose import file has its
    /// name and `cert_zip`, then `fields` (lines of TOML). Test files add their own
    /// methods (`impl ImportedShop` in the file).
    pub fn import(prefix: &str, fields: &str) -> ImportedShop {
        let config = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let zip = good_zip(work.path());
        let name = unique_name(prefix);
        import_profile(
            config.path(),
            work.path(),
            &format!(
                "name = {name:?}\ncert_zip = {:?}\n{fields}",
                zip.file_name().unwrap().to_str().unwrap()
            ),
        );
        ImportedShop { config, work, name }
    }

    /// The shop's profile as saved.
    pub fn profile(&self) -> wxpay_setup::domain::profile::Profile {
        wxpay_setup::services::profile_store::ProfileStore::at(self.config.path().to_path_buf())
            .load(&self.name)
            .unwrap()
    }
}

impl Drop for ImportedShop {
    fn drop(&mut self) {
        let _ = wxpay(self.config.path())
            .args(["profile", "delete", &self.name])
            .output();
    }
}

/// A command's `--json` output; a failure shows all it printed.
pub fn stdout_json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// Writes `toml` to `dir/import.toml` and imports it with `profile import`.
pub fn import_profile(config: &Path, dir: &Path, toml: &str) {
    let f = dir.join("import.toml");
    std::fs::write(&f, toml).unwrap();
    let o = wxpay(config)
        .args(["profile", "import"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The merchant platform: a "Tenpay.com Root CA" signs a certificate request
/// as it comes (used by the certificate-request tests of the CLI and the window).
pub fn issue(csr_pem: &str) -> String {
    let csr = CertificateSigningRequestParams::from_pem(csr_pem).expect("the request parses");
    let mut ca = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "CN");
    dn.push(DnType::OrganizationName, "Tenpay.com");
    dn.push(DnType::OrganizationalUnitName, "Tenpay.com CA Center");
    dn.push(DnType::CommonName, "Tenpay.com Root CA");
    ca.distinguished_name = dn;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let key = KeyPair::from_pem_and_sign_algo(key_b(), &PKCS_RSA_SHA256).unwrap();
    csr.signed_by(&Issuer::new(ca, key)).unwrap().pem()
}

/// A loopback listener that answers nothing and records what reaches it: a
/// stranger's address, for the tests that a kept password or token never goes
/// there (trial 3 Major 1).
pub struct Listener {
    pub url: String,
    got: std::sync::Arc<std::sync::Mutex<(usize, Vec<u8>)>>,
}

impl Listener {
    pub fn start() -> Listener {
        use std::io::Read;
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        let got = std::sync::Arc::new(std::sync::Mutex::new((0, Vec::new())));
        let seen = got.clone();
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(mut s) = s else { continue };
                seen.lock().unwrap().0 += 1;
                let _ = s.set_read_timeout(Some(std::time::Duration::from_millis(300)));
                let mut buf = [0u8; 4096];
                while let Ok(n) = s.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    seen.lock().unwrap().1.extend_from_slice(&buf[..n]);
                }
            }
        });
        Listener { url, got }
    }

    /// How many connections were made, and every byte received.
    pub fn received(&self) -> (usize, String) {
        let g = self.got.lock().unwrap();
        (g.0, String::from_utf8_lossy(&g.1).into_owned())
    }
}
