//! Reading the files a user hands us (a WXCertUtil zip, the unpacked folder, or a
//! single PEM) into memory, with hard limits so that a hostile zip can neither
//! write anywhere nor exhaust memory: nothing is ever extracted to disk. The
//! files come in already opened (`services::files` opens paths and walks
//! folders); this module only reads.

use std::io::{Read, Seek};
use std::path::Path;

use super::ImportError;

/// WXCertUtil's zip has four entries; anything past this is not a certificate zip.
pub const MAX_ENTRIES: usize = 64;
/// The largest genuine entry is the ~3 KB p12; 1 MiB leaves room and stops zip bombs.
pub const MAX_ENTRY_BYTES: u64 = 1024 * 1024;
/// How deep we look inside a dropped folder (the folder itself, then `<mchid>_<date>_cert/`).
pub const MAX_FOLDER_DEPTH: usize = 3;

/// One file found in the source, with its name as the user would see it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads one file the user handed us, already opened by the caller
/// (`services::files`): a zip, known by its first bytes, or a single file such
/// as a PEM. `name` is the file's name as the user sees it.
pub fn read_file_source<R: Read + Seek>(
    name: &str,
    mut reader: R,
) -> Result<Vec<SourceFile>, ImportError> {
    let io = |e| ImportError::io(Path::new(name), e);
    let mut magic = [0u8; 4];
    let n = read_up_to(&mut reader, &mut magic).map_err(io)?;
    let looks_zip = n >= 4 && (magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06");
    let named_zip = Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if looks_zip {
        reader.rewind().map_err(io)?;
        return read_zip(reader);
    }
    if named_zip {
        return Err(ImportError::NotAZip);
    }
    reader.rewind().map_err(io)?;
    let bytes = read_limited(reader, MAX_ENTRY_BYTES)
        .map_err(io)?
        .ok_or_else(|| ImportError::EntryTooLarge {
            entry: name.to_owned(),
        })?;
    Ok(vec![SourceFile {
        name: name.to_owned(),
        bytes,
    }])
}

/// At most `limit` bytes of `r`, counted as they are read (a reported length
/// can lie, a device or pipe has none): `None` when there are more.
pub fn read_limited(r: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    r.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Entry names written by Chinese Windows tools are often GBK without the UTF-8
/// flag; the zip crate would decode those as CP437, so we decode the raw bytes.
pub fn decode_entry_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_owned(),
        Err(_) => encoding_rs::GB18030.decode(raw).0.into_owned(),
    }
}

/// A name that could escape an extraction folder: absolute, drive-prefixed, or with `..`.
pub fn is_unsafe_entry_name(name: &str) -> bool {
    if name.contains('\0') || name.starts_with('/') || name.starts_with('\\') {
        return true;
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        return true;
    }
    name.split(['/', '\\']).any(|part| part == "..")
}

pub fn read_zip<R: Read + Seek>(reader: R) -> Result<Vec<SourceFile>, ImportError> {
    let mut archive = zip::ZipArchive::new(reader).map_err(|_| ImportError::NotAZip)?;
    if archive.len() > MAX_ENTRIES {
        return Err(ImportError::TooManyEntries {
            count: archive.len(),
        });
    }
    // First pass on metadata only: refuse the whole archive before reading any data.
    let mut wanted = Vec::new();
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| ImportError::NotAZip)?;
        let name = decode_entry_name(entry.name_raw());
        if is_unsafe_entry_name(&name) {
            return Err(ImportError::UnsafePath { entry: name });
        }
        if entry.encrypted() {
            return Err(ImportError::Encrypted { entry: name });
        }
        if entry.is_symlink() {
            return Err(ImportError::UnsafePath { entry: name });
        }
        if entry.is_dir() {
            continue;
        }
        if entry.size() > MAX_ENTRY_BYTES {
            return Err(ImportError::EntryTooLarge { entry: name });
        }
        wanted.push((i, name));
    }
    let mut files = Vec::with_capacity(wanted.len());
    for (i, name) in wanted {
        let entry = archive.by_index(i).map_err(|_| ImportError::CorruptZip {
            entry: name.clone(),
        })?;
        // The declared size can lie: never read more than the limit + 1.
        let mut bytes = Vec::new();
        entry
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| ImportError::CorruptZip {
                entry: name.clone(),
            })?;
        if bytes.len() as u64 > MAX_ENTRY_BYTES {
            return Err(ImportError::EntryTooLarge { entry: name });
        }
        files.push(SourceFile { name, bytes });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names() {
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "\\x",
            "C:\\x",
            "c:/x",
            "a\\..\\b",
        ] {
            assert!(is_unsafe_entry_name(bad), "{bad}");
        }
        for ok in [
            "1900_20240101_cert/apiclient_key.pem",
            "a..b/c",
            "证书使用说明.txt",
        ] {
            assert!(!is_unsafe_entry_name(ok), "{ok}");
        }
    }

    #[test]
    fn gbk_names_are_decoded() {
        let (gbk, _, _) = encoding_rs::GBK.encode("证书使用说明.txt");
        assert!(std::str::from_utf8(&gbk).is_err());
        assert_eq!(decode_entry_name(&gbk), "证书使用说明.txt");
        assert_eq!(decode_entry_name("证书.txt".as_bytes()), "证书.txt");
    }
}
