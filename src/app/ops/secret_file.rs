//! A secret the user hands over in a file or on standard input (a backend password,
//! a receiver's token, a bundle passphrase): the one place such text is read and
//! cut, so every way in agrees. One UTF-8 byte order mark is dropped (Notepad's
//! "UTF-8 with BOM" writes one; the import files already drop it), then the line end.
//! Empty is an error here, whatever the source, and every failure says what is wrong
//! with the file in words that fit a secret, not the system's English.

use std::path::Path;

use zeroize::Zeroizing;

use crate::domain::secret::Secret;
use crate::i18n::{Arg, Message};
use crate::services::files::{FileError, TEXT_LIMIT, read_file};

/// Which secret it is, for the words (`push.what_<what>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Password,
    Token,
    Passphrase,
}

impl What {
    fn key(self) -> &'static str {
        match self {
            What::Password => "push.what_password",
            What::Token => "push.what_token",
            What::Passphrase => "push.what_passphrase",
        }
    }
}

/// Why no secret came out of the file or standard input.
#[derive(Debug)]
pub enum SecretFileError {
    /// A pipe, a device or a folder: only an ordinary file is read (`-` is the way
    /// to pipe one in).
    NotAFile {
        path: String,
        what: What,
    },
    TooLarge {
        path: String,
        what: What,
    },
    NotUtf8 {
        path: String,
        what: What,
    },
    /// Nothing in it but a BOM or a line end.
    Empty {
        path: String,
        what: What,
    },
    /// Standard input gave nothing.
    EmptyInput {
        what: What,
    },
    /// The system could not read it: its cause in the reader's words, the raw text
    /// only when no cause is known.
    Unreadable {
        path: String,
        what: What,
        error: std::io::Error,
    },
}

impl SecretFileError {
    pub fn code(&self) -> &'static str {
        match self {
            SecretFileError::NotAFile { .. } => "not_a_file",
            SecretFileError::TooLarge { .. } => "too_large",
            SecretFileError::NotUtf8 { .. } => "not_utf8",
            SecretFileError::Empty { .. } => "empty",
            SecretFileError::EmptyInput { .. } => "empty_input",
            SecretFileError::Unreadable { .. } => "unreadable",
        }
    }
}

impl Message for SecretFileError {
    fn key(&self) -> String {
        format!("push.secret_{}", self.code())
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        let printable = crate::domain::text::printable;
        match self {
            SecretFileError::EmptyInput { what } => vec![("what", Arg::Key(what.key().into()))],
            SecretFileError::NotAFile { path, what } => {
                // a password or token may come through standard input instead
                let pipe = match what {
                    What::Passphrase => Arg::Text(String::new()),
                    _ => Arg::Key("push.secret_pipe".into()),
                };
                vec![
                    ("what", Arg::Key(what.key().into())),
                    ("path", printable(path).into()),
                    ("pipe", pipe),
                ]
            }
            SecretFileError::TooLarge { path, what }
            | SecretFileError::NotUtf8 { path, what }
            | SecretFileError::Empty { path, what } => vec![
                ("what", Arg::Key(what.key().into())),
                ("path", printable(path).into()),
                ("limit", format!("{} KiB", TEXT_LIMIT / 1024).into()),
            ],
            SecretFileError::Unreadable { path, what, error } => {
                let raw = error.to_string();
                let cause = match crate::domain::cause::cause_of(&raw) {
                    Some(code) => Arg::Key(format!("cause.{code}")),
                    None => printable(&raw).into(),
                };
                vec![
                    ("what", Arg::Key(what.key().into())),
                    ("path", printable(path).into()),
                    ("cause", cause),
                ]
            }
        }
    }
}

/// A secret's text as every way in cuts it: one BOM, then the line end.
pub fn cut(text: &str) -> &str {
    text.strip_prefix('\u{feff}')
        .unwrap_or(text)
        .trim_end_matches(['\r', '\n'])
}

/// The secret in an ordinary file (never a pipe or a device: those could block).
pub fn read(path: &Path, what: What) -> Result<Secret, SecretFileError> {
    let shown = path.display().to_string();
    let bytes = read_file(path, TEXT_LIMIT).map_err(|e| match e {
        FileError::NotAFile => SecretFileError::NotAFile {
            path: shown.clone(),
            what,
        },
        FileError::TooLarge { .. } => SecretFileError::TooLarge {
            path: shown.clone(),
            what,
        },
        FileError::Io(error) if error.kind() == std::io::ErrorKind::IsADirectory => {
            SecretFileError::NotAFile {
                path: shown.clone(),
                what,
            }
        }
        FileError::Io(error) => SecretFileError::Unreadable {
            path: shown.clone(),
            what,
            error,
        },
    })?;
    let bytes = Zeroizing::new(bytes);
    let not_utf8 = || SecretFileError::NotUtf8 {
        path: shown.clone(),
        what,
    };
    if looks_utf16(&bytes) {
        return Err(not_utf8());
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| not_utf8())?;
    match cut(text) {
        "" => Err(SecretFileError::Empty { path: shown, what }),
        s => Ok(Secret::new(s)),
    }
}

/// UTF-16 without a byte order mark (Notepad's "Unicode" of a Latin text): every
/// other byte of its first characters a NUL. It is valid UTF-8 byte for byte, so
/// without this it would be refused for the NUL, "a control character", when what
/// is wrong is the encoding. (With a BOM it is not UTF-8 at all.)
fn looks_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64) & !1];
    let pairs = head.len() / 2;
    if pairs < 2 {
        return false;
    }
    // little-endian: the NULs at odd places; big-endian: at even places
    let nul_at = |odd: usize| head.iter().skip(odd).step_by(2).all(|b| *b == 0);
    let other_set = |odd: usize| head.iter().skip(1 - odd).step_by(2).all(|b| *b != 0);
    (nul_at(1) && other_set(1)) || (nul_at(0) && other_set(0))
}

/// The secret in a line read from standard input.
pub fn from_input(line: &str, what: What) -> Result<Secret, SecretFileError> {
    match cut(line) {
        "" => Err(SecretFileError::EmptyInput { what }),
        s => Ok(Secret::new(s)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trial M6: Notepad's "UTF-8 with BOM" and CRLF are cut, nothing else is.
    #[test]
    fn a_bom_and_the_line_end_are_cut_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pw.txt");
        std::fs::write(&f, "\u{feff}Admin-pass 1\r\n").unwrap();
        assert_eq!(read(&f, What::Password).unwrap().expose(), "Admin-pass 1");
        assert_eq!(
            from_input("\u{feff}tok123\n", What::Token)
                .unwrap()
                .expose(),
            "tok123"
        );
        // only one BOM, and inner spaces stay: a password may have them
        assert_eq!(cut("\u{feff}\u{feff}a b\n"), "\u{feff}a b");
    }

    /// Second CLI trial, minor 6: UTF-16 without a BOM (LE and BE) is "not UTF-8
    /// text", as it is with a BOM, not "a control character"; a password with a
    /// NUL somewhere in UTF-8 is still the control character's case.
    #[test]
    fn utf16_without_a_bom_is_not_utf8_text() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("pw.txt");
        let le: Vec<u8> = "Admin-pass1\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "Admin-pass1"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        for bytes in [le, be] {
            std::fs::write(&f, &bytes).unwrap();
            assert_eq!(read(&f, What::Password).unwrap_err().code(), "not_utf8");
        }
        std::fs::write(&f, b"Admin\0pass1\n").unwrap();
        assert!(
            read(&f, What::Password).is_ok(),
            "a NUL in UTF-8 is the push's to refuse"
        );
        std::fs::write(&f, b"ab").unwrap();
        assert_eq!(read(&f, What::Password).unwrap().expose(), "ab");
    }

    /// Trial minor 7: an empty file, a FIFO, a folder and empty input are each told
    /// in words that fit a secret.
    #[test]
    fn empty_files_pipes_and_folders_are_named_for_what_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.txt");
        std::fs::write(&empty, "\u{feff}\r\n").unwrap();
        assert_eq!(read(&empty, What::Password).unwrap_err().code(), "empty");
        assert_eq!(
            read(dir.path(), What::Password).unwrap_err().code(),
            "not_a_file"
        );
        assert_eq!(
            read(&dir.path().join("nope"), What::Token)
                .unwrap_err()
                .code(),
            "unreadable"
        );
        assert_eq!(
            from_input("\n", What::Password).unwrap_err().code(),
            "empty_input"
        );
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            assert_eq!(
                read(&fifo, What::Password).unwrap_err().code(),
                "not_a_file"
            );
        }
        for lang in crate::i18n::Lang::ALL {
            let tr = crate::i18n::Tr(lang);
            let e = read(&dir.path().join("nope"), What::Password).unwrap_err();
            let text = tr.msg(&e);
            assert!(
                !text.contains("(?)") && !text.contains("os error"),
                "{text}"
            );
        }
    }
}
