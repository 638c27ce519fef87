//! clap writes its own messages in English ("error: unexpected argument …"). A
//! merchant or agent on a Chinese system gets the same facts in their language:
//! one line on what is wrong (from the error's kind and context), the usage line
//! clap worked out, and where to read more. Help and version output, and kinds
//! with no text of ours, keep clap's rendering.

use clap::error::{ContextKind, ContextValue, ErrorKind};

use crate::i18n::Tr;

/// The text to print for a parse error of the command line.
pub fn render(tr: Tr, e: &clap::Error) -> String {
    let key = match e.kind() {
        ErrorKind::InvalidValue => "cli.usage.invalid_value",
        ErrorKind::ValueValidation => "cli.usage.value_validation",
        ErrorKind::UnknownArgument => "cli.usage.unknown_argument",
        ErrorKind::InvalidSubcommand => "cli.usage.invalid_subcommand",
        ErrorKind::NoEquals
        | ErrorKind::TooManyValues
        | ErrorKind::TooFewValues
        | ErrorKind::WrongNumberOfValues => "cli.usage.wrong_number",
        ErrorKind::ArgumentConflict => "cli.usage.conflict",
        ErrorKind::MissingRequiredArgument => "cli.usage.missing_required",
        ErrorKind::MissingSubcommand => "cli.usage.missing_subcommand",
        ErrorKind::InvalidUtf8 => "cli.usage.invalid_utf8",
        _ => return e.render().to_string(),
    };
    let get = |k: ContextKind| e.get(k).map(text).unwrap_or_default();
    let mut out = tr.tf(
        key,
        &[
            ("arg", get(ContextKind::InvalidArg)),
            ("value", get(ContextKind::InvalidValue)),
            ("command", get(ContextKind::InvalidSubcommand)),
            ("other", get(ContextKind::PriorArg)),
        ],
    );
    out.push('\n');
    for (kind, hint) in [
        (ContextKind::ValidValue, "cli.usage.valid_values"),
        (ContextKind::SuggestedArg, "cli.usage.did_you_mean"),
        (ContextKind::SuggestedSubcommand, "cli.usage.did_you_mean"),
        (ContextKind::SuggestedValue, "cli.usage.did_you_mean"),
    ] {
        let values = get(kind);
        if !values.is_empty() {
            out.push_str(&tr.tf(hint, &[("values", values)]));
            out.push('\n');
        }
    }
    if let Some(usage) = e.get(ContextKind::Usage) {
        // clap's usage starts with its own "Usage:" heading; ours is localized
        let usage = text(usage);
        let usage = usage.trim().trim_start_matches("Usage:").trim();
        out.push_str(&tr.tf("cli.usage.usage", &[("usage", usage.to_owned())]));
        out.push('\n');
    }
    out.push_str(tr.t("cli.usage.more"));
    out.push('\n');
    out
}

fn text(v: &ContextValue) -> String {
    v.to_string()
}
