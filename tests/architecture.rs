//! The layering of design.md, checked on the real import graph: every
//! `crate::<layer>` path in `src/` (in `use` items, grouped `use crate::{a, b}`,
//! inline paths such as `crate::x::y(...)`, and `super::` chains that climb out
//! of a layer) must point in an allowed direction. Also: only `ui/` knows egui or
//! eframe, and views do no I/O.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

const LAYERS: [&str; 6] = ["ui", "cli", "app", "domain", "services", "i18n"];

/// design.md: "ui -> app, domain, i18n; cli -> app, domain, i18n; app -> domain,
/// services, i18n; services -> domain, i18n; domain -> i18n; i18n -> nothing."
fn allowed(from: &str, to: &str) -> bool {
    from == to
        || matches!(
            (from, to),
            ("ui", "app" | "domain" | "i18n")
                | ("cli", "app" | "domain" | "i18n")
                | ("app", "domain" | "services" | "i18n")
                | ("services", "domain" | "i18n")
                | ("domain", "i18n")
        )
}

/// The one path by which the CLI may reach the window: `run_gui` starts it.
const CLI_STARTS_THE_WINDOW: &str = "crate::ui::run";

/// The module path of a source file: `src/domain/cert/mod.rs` -> `[domain, cert]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        parts.clear();
    }
    parts
}

/// The source with comments, string and char literals blanked out (newlines
/// kept, so line numbers stay right): a `crate::` inside a doc comment or a
/// message is not an import.
fn code_only(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    let blank = |c: char, out: &mut String| out.push(if c == '\n' { '\n' } else { ' ' });
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
                out.push(' ');
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(b[i], &mut out);
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !(i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_'))
        {
            // raw string r"..." or r#"..."#
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|h| b.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &ch in &b[i..j.min(b.len())] {
                blank(ch, &mut out);
            }
            i = j;
        } else if c == '"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != '"' {
                if b[j] == '\\' {
                    j += 1;
                }
                j += 1;
            }
            for &ch in &b[i..(j + 1).min(b.len())] {
                blank(ch, &mut out);
            }
            i = j + 1;
        } else if c == '\'' {
            // a char literal ('x', '\n', '"'), or a lifetime ('a) left alone
            if next == Some('\\') {
                let mut j = i + 2;
                while j < b.len() && b[j] != '\'' {
                    j += 1;
                }
                for &ch in &b[i..(j + 1).min(b.len())] {
                    blank(ch, &mut out);
                }
                i = j + 1;
            } else if b.get(i + 2) == Some(&'\'') {
                out.push_str("   ");
                i += 3;
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The paths a `{ ... }` group starting at `s[0] == '{'` names, each written out
/// (`{a::b, c}` -> `["a::b", "c"]`, nested groups keep only their head).
fn group_items(s: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    items.push(std::mem::take(&mut cur));
                    break;
                }
            }
            ',' if depth == 1 => {
                items.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        if depth >= 1 {
            cur.push(c);
        }
    }
    items
        .into_iter()
        .map(|i| i.split_whitespace().collect::<String>())
        .filter(|i| !i.is_empty())
        .collect()
}

/// The path written right after a `crate::` (or a `super::` chain): one path,
/// or every item of a group.
fn paths_after(rest: &str) -> Vec<String> {
    let rest = rest.trim_start();
    if rest.starts_with('{') {
        return group_items(rest);
    }
    let path: String = rest
        .chars()
        .take_while(|c| is_ident(*c) || *c == ':')
        .collect();
    vec![path.trim_end_matches(':').to_owned()]
}

/// Every crossing of `file` (its module path, its code): `(line, target layer,
/// the path as written from the crate root)`.
fn crossings(module: &[String], src: &str) -> Vec<(usize, String, String)> {
    let code = code_only(src);
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut out = Vec::new();
    let mut push = |at: usize, path: String| {
        let head = path.split("::").next().unwrap_or("").to_owned();
        if LAYERS.contains(&head.as_str()) {
            out.push((line_of(at), head, format!("crate::{path}")));
        }
    };
    for (at, _) in code.match_indices("crate::") {
        if code[..at].ends_with(is_ident) || code[..at].ends_with("::") {
            continue;
        }
        for p in paths_after(&code[at + "crate::".len()..]) {
            push(at, p);
        }
    }
    for (at, _) in code.match_indices("super::") {
        if code[..at].ends_with(is_ident) || code[..at].ends_with("::") {
            continue;
        }
        let mut rest = &code[at..];
        let mut climbs = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            climbs += 1;
            rest = r.trim_start();
        }
        if climbs < module.len() {
            continue; // still inside its own layer
        }
        for p in paths_after(rest) {
            push(at, p);
        }
    }
    out
}

fn violations() -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 30, "found the sources");
    let mut bad = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap();
        let module = module_path(rel);
        let Some(from) = module.first().cloned() else {
            continue; // main.rs and lib.rs wire everything
        };
        if from == "bin" {
            continue; // other binaries are crates of their own (the console launcher)
        }
        assert!(
            LAYERS.contains(&from.as_str()),
            "{} is in no layer",
            rel.display()
        );
        let text = std::fs::read_to_string(&f).unwrap();
        for (line, to, path) in crossings(&module, &text) {
            if allowed(&from, &to) || (from == "cli" && path == CLI_STARTS_THE_WINDOW) {
                continue;
            }
            bad.push(format!(
                "src/{}:{line}: {from} -> {to} ({path})",
                rel.display()
            ));
        }
    }
    bad
}

#[test]
fn imports_follow_the_layers_of_design_md() {
    let bad = violations();
    assert!(
        bad.is_empty(),
        "imports against the layers:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_scanner_sees_every_way_of_naming_a_layer() {
    let m = |p: &str| module_path(Path::new(p));
    let found = |module: &[String], src: &str| -> Vec<String> {
        crossings(module, src)
            .into_iter()
            .map(|(l, to, path)| format!("{l}:{to}:{path}"))
            .collect()
    };
    let domain = m("domain/profile.rs");
    assert_eq!(domain, ["domain", "profile"]);
    assert_eq!(m("domain/cert/mod.rs"), ["domain", "cert"]);
    assert!(m("lib.rs").is_empty());
    let src = r#"
use crate::app::verify::CheckId;
use crate::{
    i18n::Tr,
    services::{files, http},
};
// crate::ui::nothing in a comment
/* crate::ui::nor { crate::ui::here } */
const S: &str = "crate::ui::nor in a string";
const C: char = '"';
fn f<'a>(x: &'a str) { crate::services::files::read(x); }
use super::cert::CertSummary;
use super::super::cli::run;
let t = my_crate::ui::x;
"#;
    assert_eq!(
        found(&domain, src),
        [
            "2:app:crate::app::verify::CheckId",
            "3:i18n:crate::i18n::Tr",
            "3:services:crate::services::{files,http}",
            "11:services:crate::services::files::read",
            "13:cli:crate::cli::run",
        ]
    );
    assert!(allowed("ui", "app") && allowed("domain", "i18n") && allowed("app", "app"));
    assert!(!allowed("domain", "app") && !allowed("i18n", "domain") && !allowed("ui", "services"));
}

#[test]
fn core_layers_do_not_know_the_gui() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for layer in ["domain", "app", "services"] {
        rust_files(&src.join(layer), &mut files);
    }
    assert!(files.len() > 10, "found the layers");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for word in ["egui", "eframe"] {
            assert!(!text.contains(word), "{} mentions {word}", f.display());
        }
    }
}

/// design.md: the domain is pure, "certificate parsing and checks over bytes
/// handed in"; opening paths is `services::files`' job. (Before issue 12,
/// `cert/archive.rs` and `bundle.rs` opened files here.)
#[test]
fn the_domain_opens_no_files() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain"),
        &mut files,
    );
    assert!(files.len() > 10, "found the domain");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        // unit tests may read fixtures; the domain's own code may not
        let code = code_only(text.split("#[cfg(test)]").next().unwrap_or(""));
        for word in ["std::fs", "fs::", "File::", "OpenOptions", "read_dir"] {
            assert!(!code.contains(word), "{} uses {word}", f.display());
        }
    }
}

#[test]
fn views_do_no_io() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui"),
        &mut files,
    );
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for word in ["std::fs", "keyring", "reqwest", "rfd::"] {
            assert!(!text.contains(word), "{} uses {word}", f.display());
        }
    }
}

/// The domain modules a domain file names (`crate::domain::x`, or a `super::` chain
/// that climbs to the domain's root), by their top-level name: `cert/request.rs`
/// naming `crate::domain::profile::X` gives `profile`.
fn domain_modules_named(module: &[String], src: &str) -> std::collections::BTreeSet<String> {
    let code = code_only(src);
    let mut out = std::collections::BTreeSet::new();
    let mut add = |path: &str| {
        let head: String = path.split("::").next().unwrap_or("").to_owned();
        if !head.is_empty() && head != module[1] {
            out.insert(head);
        }
    };
    for (at, _) in code.match_indices("crate::domain::") {
        if code[..at].ends_with(is_ident) || code[..at].ends_with("::") {
            continue;
        }
        for p in paths_after(&code[at + "crate::domain::".len()..]) {
            add(&p);
        }
    }
    for (at, _) in code.match_indices("super::") {
        if code[..at].ends_with(is_ident) || code[..at].ends_with("::") {
            continue;
        }
        let mut rest = &code[at..];
        let mut climbs = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            climbs += 1;
            rest = r.trim_start();
        }
        if climbs + 1 == module.len() {
            for p in paths_after(rest) {
                add(&p);
            }
        }
    }
    out
}

/// Issue 16: the profile model sits at the bottom of the domain and imports nothing
/// above it; more generally no domain module reaches itself through its imports
/// (a module with its submodules counts as one: `cert` is `cert/*.rs`). Tests
/// inside a file are left out: they may use anything.
#[test]
fn the_domain_modules_import_each_other_without_a_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root.join("domain"), &mut files);
    let mut edges: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for f in &files {
        let module = module_path(f.strip_prefix(&root).unwrap());
        if module.len() < 2 {
            continue; // domain/mod.rs only declares the modules
        }
        let text = std::fs::read_to_string(f).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        edges
            .entry(module[1].clone())
            .or_default()
            .extend(domain_modules_named(&module, code));
    }
    assert!(edges.len() > 10, "found the domain modules");
    assert!(
        edges["bundle"].contains("profile"),
        "the scanner sees imports"
    );
    // a depth-first walk from every module, keeping the path to name a circle
    fn walk(
        at: &str,
        edges: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut std::collections::BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == at) {
            let mut circle = path[i..].to_vec();
            circle.push(at.to_owned());
            return Some(circle);
        }
        if done.contains(at) {
            return None;
        }
        path.push(at.to_owned());
        for next in edges.get(at).into_iter().flatten() {
            if let Some(c) = walk(next, edges, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(at.to_owned());
        None
    }
    let mut done = Default::default();
    for m in edges.keys() {
        if let Some(circle) = walk(m, &edges, &mut Vec::new(), &mut done) {
            panic!("the domain imports in a circle: {}", circle.join(" -> "));
        }
    }
    for above in ["check", "push", "fields", "wxapi", "bundle", "export"] {
        assert!(
            !edges["profile"].contains(above),
            "the profile model imports {above}"
        );
    }
}
