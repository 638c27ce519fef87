//! `wxpay-setup-cli.exe`: the console face of `wxpay-setup.exe` for cmd, PowerShell and
//! scripts on Windows. `wxpay-setup.exe` is a GUI-subsystem program (no black console
//! window on a double-click), and cmd does not wait for such a program nor see its exit
//! code. This small console-subsystem program runs the `wxpay-setup.exe` beside it with
//! the same arguments and this console's standard handles, waits for it and returns its
//! exit code: same output, prompts and exit codes as `wxpay-setup` on Linux (the pattern
//! of Visual Studio's devenv.com/devenv.exe). It is a launcher rather than a second copy
//! of the program so that the download holds the 29 MB program once.
//! Ctrl+C ends both: the child is in a job object that dies with this process.
//! On Linux and macOS `wxpay-setup` is already a console program; there this one simply
//! becomes it (exec).
//!
//! It does not link the `wxpay_setup` library: MinGW's linker would keep all of it (29 MB)
//! for one message. That message is read from the same catalogs, `i18n/*.toml`.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let program = match std::env::current_exe() {
        Ok(me) => me.with_file_name(format!("wxpay-setup{}", std::env::consts::EXE_SUFFIX)),
        Err(_) => PathBuf::from("wxpay-setup"),
    };
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let mut cmd = Command::new(&program);
    cmd.args(&args);
    let err = match run(cmd) {
        Ok(code) => return code,
        Err(e) => e,
    };
    let text = message("launcher_failed")
        .replace("{program}", &program.display().to_string())
        .replace("{reason}", &err.to_string());
    eprintln!("{text}");
    ExitCode::from(1)
}

/// `[cli] key` from the catalog of the user's language (the rule of `Lang::from_system`:
/// LC_ALL, LC_MESSAGES, LANG, then the system locale; Chinese for any `zh` locale).
fn message(key: &str) -> String {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty() && v != "C" && v != "POSIX")
        .or_else(sys_locale::get_locale)
        .unwrap_or_default();
    let catalog = if locale.to_ascii_lowercase().starts_with("zh") {
        include_str!("../../i18n/zh-CN.toml")
    } else {
        include_str!("../../i18n/en.toml")
    };
    toml::from_str::<toml::Table>(catalog)
        .ok()
        .and_then(|t| t.get("cli")?.get(key)?.as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("cli.{key}: {{program}}: {{reason}}"))
}

#[cfg(unix)]
fn run(mut cmd: Command) -> std::io::Result<ExitCode> {
    use std::os::unix::process::CommandExt;
    Err(cmd.exec())
}

#[cfg(not(unix))]
fn run(mut cmd: Command) -> std::io::Result<ExitCode> {
    let mut child = cmd.spawn()?;
    #[cfg(windows)]
    let _job = job::kill_on_close(&child);
    let status = child.wait()?;
    // the program's exit codes are 0, 1 and 2; anything else (killed) reads as a failure
    Ok(ExitCode::from(
        status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .unwrap_or(1),
    ))
}

#[cfg(windows)]
mod job {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JobObjectExtendedLimitInformation,
        SetInformationJobObject,
    };

    /// Closing the job's last handle kills its processes: when this launcher ends for
    /// any reason (Ctrl+C, the console closed), the program ends with it.
    pub struct Job(HANDLE);

    impl Drop for Job {
        fn drop(&mut self) {
            // SAFETY: a handle this module opened and nobody else closes.
            unsafe { CloseHandle(self.0) };
        }
    }

    pub fn kill_on_close(child: &std::process::Child) -> Option<Job> {
        // SAFETY: plain Win32 calls; `info` is a zeroed plain-data struct of the size given.
        unsafe {
            let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
            if job.is_null() {
                return None;
            }
            let job = Job(job);
            let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
            info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            let ok = SetInformationJobObject(
                job.0,
                JobObjectExtendedLimitInformation,
                (&raw const info).cast(),
                std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            );
            if ok == 0 || AssignProcessToJobObject(job.0, child.as_raw_handle() as HANDLE) == 0 {
                return None;
            }
            Some(job)
        }
    }
}
