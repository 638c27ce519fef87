//! Build script: for Windows targets only, embeds into every .exe the application icon
//! (`assets/icon.ico`, rendered from `assets/icon.svg` by `scripts/make-icons.sh`), the
//! version info Explorer and Task Manager show (product name 微信支付配置向导, version from
//! Cargo.toml, copyright), and the manifest (`assets/windows/app.manifest`: per-monitor DPI
//! awareness, UTF-8 code page, long paths). `winresource` drives the resource compiler:
//! MinGW's `windres` when cross-building from Linux, `rc.exe` on a native MSVC build.
//! Other targets get nothing from here.

use std::path::Path;

fn main() -> std::io::Result<()> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/icon.ico");
    println!("cargo:rerun-if-changed=assets/windows/app.manifest");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return Ok(());
    }
    let dir = std::env::var("CARGO_MANIFEST_DIR").map_err(std::io::Error::other)?;
    // absolute: the resource compiler runs in its own folder
    let path = |rel: &str| Path::new(&dir).join(rel).display().to_string();
    let version = std::env::var("CARGO_PKG_VERSION").map_err(std::io::Error::other)?;
    let mut res = winresource::WindowsResource::new();
    res.set_icon(&path("assets/icon.ico"))
        .set_manifest_file(&path("assets/windows/app.manifest"))
        // Simplified Chinese (PRC): the language of the strings below that matter most
        .set_language(0x0804)
        .set("ProductName", "微信支付配置向导")
        .set("FileDescription", "微信支付配置向导 WeChat Pay Setup")
        .set("CompanyName", "wxpay-setup")
        .set("InternalName", "wxpay-setup")
        .set(
            "LegalCopyright",
            "© 2026 wxpay-setup contributors · MIT OR Apache-2.0",
        )
        .set("ProductVersion", &version)
        .set("FileVersion", &version);
    res.compile()
}
