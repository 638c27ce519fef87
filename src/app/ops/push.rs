//! "Send to shop backend": the field mapping (a preset or the user's file), the
//! masked preview, and the send with its retries. `push` on the command line and
//! the window's summary page run these same steps.

use std::path::PathBuf;

use serde::Serialize;

use super::{Ctx, OpError, load_profile, load_secrets};
use crate::app::push::PushResult;
use crate::app::rules::Secrets;
use crate::domain::profile::{Profile, SecretField};
use crate::domain::push::{self, BackendPreset, Mapping, Part, PushOutcome};
use crate::domain::secret::Secret;
use crate::i18n::{Arg, Message};

/// A custom mapping file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct MappingError {
    pub path: String,
    pub reason: String,
}

impl Message for MappingError {
    fn key(&self) -> String {
        "push.bad_mapping".into()
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        vec![
            ("path", self.path.as_str().into()),
            ("reason", self.reason.as_str().into()),
        ]
    }
}

/// The field names this profile's push uses.
pub fn mapping_of(p: &Profile) -> Result<Mapping, MappingError> {
    match p.backend_preset {
        BackendPreset::Known(preset) => Ok(preset.mapping()),
        BackendPreset::Custom => super::read_text(std::path::Path::new(&p.backend_mapping_file))
            .map_err(|e| e.to_string())
            .and_then(|t| push::parse_mapping(&t))
            .map_err(|reason| MappingError {
                path: p.backend_mapping_file.clone(),
                reason,
            }),
    }
}

/// What the caller overrides for this push; each is remembered in the profile
/// (the token in the keychain), except in a dry run, which changes nothing.
#[derive(Debug, Default)]
pub struct Overrides {
    pub url: Option<String>,
    pub preset: Option<String>,
    pub mapping_file: Option<PathBuf>,
    pub token: Option<Secret>,
    pub dry_run: bool,
}

/// Why a push was not tried, or could not be.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Op(#[from] OpError),
    #[error("no URL")]
    NoUrl,
    #[error("insecure URL {0}")]
    InsecureUrl(String),
    #[error("bad preset {0}")]
    BadPreset(String),
    #[error(transparent)]
    BadMapping(#[from] MappingError),
    #[error("no token")]
    NoToken,
}

impl PushError {
    /// Stable code for `push --json`.
    pub fn code(&self) -> &'static str {
        match self {
            PushError::Op(e) => e.code(),
            PushError::NoUrl => "no_url",
            PushError::InsecureUrl(_) => "insecure_url",
            PushError::BadPreset(_) => "bad_preset",
            PushError::BadMapping(_) => "bad_mapping",
            PushError::NoToken => "no_token",
        }
    }

    /// The user's input is wrong or incomplete (exit 2), rather than the world.
    pub fn is_usage(&self) -> bool {
        !matches!(self, PushError::Op(_))
    }
}

impl Message for PushError {
    fn key(&self) -> String {
        match self {
            PushError::Op(e) => e.key(),
            PushError::NoUrl => "push.no_url".into(),
            PushError::InsecureUrl(_) => "push.insecure_url".into(),
            PushError::BadPreset(_) => "push.bad_preset".into(),
            PushError::BadMapping(e) => e.key(),
            PushError::NoToken => "push.no_token".into(),
        }
    }
    fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            PushError::Op(e) => e.args(),
            PushError::InsecureUrl(url) => vec![("url", url.as_str().into())],
            PushError::BadPreset(v) => vec![("value", v.as_str().into())],
            PushError::BadMapping(e) => e.args(),
            PushError::NoUrl | PushError::NoToken => Vec::new(),
        }
    }
}

impl From<crate::services::secret_store::StoreError> for PushError {
    fn from(e: crate::services::secret_store::StoreError) -> Self {
        PushError::Op(e.into())
    }
}

impl From<crate::services::profile_store::StorageError> for PushError {
    fn from(e: crate::services::profile_store::StorageError) -> Self {
        PushError::Op(e.into())
    }
}

/// A push ready to send: the parts, their masked preview, and the token.
pub struct Prepared {
    pub url: String,
    pub parts: Vec<Part>,
    pub preview: Vec<(String, String)>,
    token: Secret,
}

impl Prepared {
    pub fn has_token(&self) -> bool {
        !self.token.is_empty()
    }
}

/// Applies the overrides to profile `name`, checks them, remembers them, and
/// builds what would be sent.
pub fn prepare(ctx: &Ctx, name: &str, o: Overrides) -> Result<Prepared, PushError> {
    // what is remembered (URL, preset, mapping, token) is written under the shop's lock
    let _lock = if o.dry_run {
        None
    } else {
        Some(ctx.lock(name).map_err(OpError::from)?)
    };
    let mut p = load_profile(ctx, name)?;
    if let Some(url) = &o.url {
        p.backend_url = url.trim().to_owned();
    }
    if let Some(preset) = &o.preset {
        p.backend_preset =
            BackendPreset::parse(preset).ok_or_else(|| PushError::BadPreset(preset.clone()))?;
    }
    if let Some(mapping) = &o.mapping_file {
        p.backend_mapping_file = mapping.display().to_string();
        p.backend_preset = BackendPreset::Custom;
    }
    if p.backend_url.is_empty() {
        return Err(PushError::NoUrl);
    }
    if crate::services::wechat_http::check_base_url(&p.backend_url).is_err() {
        return Err(PushError::InsecureUrl(
            crate::services::wechat_http::redact_url(&p.backend_url),
        ));
    }
    let mapping = mapping_of(&p)?;
    let mut secrets: Secrets = load_secrets(ctx, name)?;
    if let Some(token) = o.token {
        if !o.dry_run {
            ctx.with_keychain(|k| k.set(name, SecretField::BackendToken, &token))?;
        }
        secrets.insert(SecretField::BackendToken, token);
    }
    if !o.dry_run {
        ctx.profiles.save(&p)?;
    }
    let parts = push::build_parts(&p, &secrets, &mapping);
    Ok(Prepared {
        preview: push::preview(&parts),
        token: secrets
            .get(&SecretField::BackendToken)
            .cloned()
            .unwrap_or_default(),
        url: p.backend_url,
        parts,
    })
}

/// The report of a push that was tried.
#[derive(Debug, Clone, Serialize)]
pub struct Sent {
    pub url: String,
    pub accepted: bool,
    /// `push_ok`, or the failure's code.
    pub code: &'static str,
    pub attempts: usize,
    pub idempotency_key: String,
    pub outcome: PushOutcome,
}

/// Sends (with retries). Needs a token.
pub fn send(ctx: &Ctx, prepared: &Prepared) -> Result<Sent, PushError> {
    if !prepared.has_token() {
        return Err(PushError::NoToken);
    }
    let http = ctx.http.get().map_err(OpError::from)?;
    let r = crate::app::push::push(
        http.as_ref(),
        &prepared.url,
        prepared.token.expose(),
        &prepared.parts,
    );
    Ok(sent(&prepared.url, r))
}

fn sent(url: &str, r: PushResult) -> Sent {
    let code = match &r.outcome {
        PushOutcome::Accepted => "push_ok",
        PushOutcome::Failed { code, .. } => code,
        PushOutcome::Retry(_) => "push_gave_up",
    };
    Sent {
        url: url.to_owned(),
        accepted: r.outcome == PushOutcome::Accepted,
        code,
        attempts: r.attempts,
        idempotency_key: r.idempotency_key,
        outcome: r.outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::ops::testing::{fake_ctx, shop};

    #[test]
    fn overrides_are_checked_then_remembered() {
        let (ctx, f) = fake_ctx();
        shop(&f, "店");
        // a dry run remembers nothing (issue 10 item 13)
        prepare(
            &ctx,
            "店",
            Overrides {
                url: Some("http://127.0.0.1:1/dry".into()),
                token: Some(Secret::new("dry-token")),
                dry_run: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(ctx.profiles.load("店").unwrap().backend_url, "");
        assert_eq!(
            ctx.with_keychain(|k| k.get("店", SecretField::BackendToken))
                .unwrap(),
            None
        );
        let bad = |o: Overrides| prepare(&ctx, "店", o).err().map(|e| e.key());
        assert_eq!(bad(Overrides::default()).as_deref(), Some("push.no_url"));
        let url = || Some("http://127.0.0.1:1/config".to_owned());
        assert_eq!(
            bad(Overrides {
                url: Some("http://10.0.0.1".into()),
                ..Default::default()
            })
            .as_deref(),
            Some("push.insecure_url")
        );
        assert_eq!(
            bad(Overrides {
                url: url(),
                preset: Some("nope".into()),
                ..Default::default()
            })
            .as_deref(),
            Some("push.bad_preset")
        );
        let ready = prepare(
            &ctx,
            "店",
            Overrides {
                url: url(),
                preset: Some("crmeb".into()),
                token: Some(Secret::new("t0ken")),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(
            ready
                .preview
                .iter()
                .any(|(k, v)| k == "pay_weixin_mchid" && v == "1900006031")
        );
        let saved = ctx.profiles.load("店").unwrap();
        assert_eq!(
            saved.backend_preset,
            BackendPreset::Known(push::Preset::Crmeb)
        );
        assert_eq!(saved.backend_url, "http://127.0.0.1:1/config");
        assert!(f.keychain.peek("店", SecretField::BackendToken).is_some());
        assert!(f.http.seen().is_empty(), "preparing sends nothing");
    }

    #[test]
    fn send_posts_the_parts_once_when_accepted() {
        let (ctx, f) = fake_ctx();
        shop(&f, "店");
        f.http.reply(200, "{}");
        let ready = prepare(
            &ctx,
            "店",
            Overrides {
                url: Some("http://127.0.0.1:1/config".into()),
                token: Some(Secret::new("t0ken")),
                ..Default::default()
            },
        )
        .unwrap();
        let s = send(&ctx, &ready).unwrap();
        assert!(s.accepted);
        assert_eq!((s.code, s.attempts), ("push_ok", 1));
        let seen = f.http.seen();
        assert_eq!(seen.len(), 1);
        assert_eq!(
            seen[0].idempotency_key.as_deref(),
            Some(s.idempotency_key.as_str())
        );
        assert!(seen[0].part_names.contains(&"mchid".to_owned()));
    }
}
