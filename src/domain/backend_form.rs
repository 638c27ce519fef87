//! The shop backend's WeChat Pay form (网站后台 -> 商城 -> 在线支付 -> 添加支付方式 ->
//! 微信支付): each field's label exactly as the backend shows it, and which of our
//! values goes there. The labels are Chinese in every UI language because that is
//! what the user will see on the backend's screen.

use super::backend_kind::BackendKind;
use super::fields::FieldId;
use super::profile::SiteKind;

/// What goes into a backend field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormValue {
    Field(FieldId),
    /// Upload `apiclient_cert.pem` (the certificate, public).
    CertificateFile,
    /// Upload `apiclient_key.pem` (the private key).
    PrivateKeyFile,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormRow {
    pub label: &'static str,
    pub value: FormValue,
}

pub use super::cert::{CERT_FILE_NAME, KEY_FILE_NAME};

pub fn backend_form(kind: SiteKind) -> Vec<FormRow> {
    let mut rows = vec![
        FormRow {
            label: "支付方式名称",
            value: FormValue::Field(FieldId::PaymentName),
        },
        FormRow {
            label: "公众号身份识别（APPID）",
            value: FormValue::Field(FieldId::MpAppId),
        },
        FormRow {
            label: "公众平台API的权限获取所需密钥（APPSECRET）",
            value: FormValue::Field(FieldId::MpAppSecret),
        },
        FormRow {
            label: "微信支付商户号（MCHID）",
            value: FormValue::Field(FieldId::MchId),
        },
        FormRow {
            label: "API密钥（Key）",
            value: FormValue::Field(FieldId::ApiKeyV2),
        },
    ];
    if kind.needs_service_account() {
        rows.push(FormRow {
            label: "开发者ID(AppID)（认证服务号）",
            value: FormValue::Field(FieldId::OaAppId),
        });
        rows.push(FormRow {
            label: "开发者密码(AppSecret)（认证服务号）",
            value: FormValue::Field(FieldId::OaAppSecret),
        });
    }
    // The backend's labels are swapped: the field *named* [apiclient_cert] says
    // 私钥 but wants the certificate. We go by the bracketed file name.
    rows.push(FormRow {
        label: "存储私钥文件[apiclient_cert]",
        value: FormValue::CertificateFile,
    });
    rows.push(FormRow {
        label: "存储公钥文件[apiclient_key]",
        value: FormValue::PrivateKeyFile,
    });
    rows
}

/// One page of the shop system's admin where values are filled in by hand: its
/// menu path and fields, as that admin shows them (Chinese in every UI language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormPage {
    /// The menu path to the page; `None`: the guide's backend, whose path the
    /// summary's own introduction gives.
    pub path: Option<&'static str>,
    pub rows: Vec<FormRow>,
    /// The certificate and its key go in as pasted text (PEM), not as uploads.
    pub pastes_files: bool,
}

/// The hand-fill form for the shop system the owner chose: likeadmin's own three
/// pages (its 商户API密钥 is the APIv3 key; no place for the APIv2 key); for the
/// others, or when none is chosen, the guide's backend form above.
pub fn hand_form(system: Option<BackendKind>, kind: SiteKind) -> Vec<FormPage> {
    if system != Some(BackendKind::Likeadmin) {
        return vec![FormPage {
            path: None,
            rows: backend_form(kind),
            pastes_files: false,
        }];
    }
    let row = |label, value| FormRow { label, value };
    let mut pages = vec![FormPage {
        path: Some("渠道设置 → 微信小程序 → 开发者ID"),
        rows: vec![
            row("AppID", FormValue::Field(FieldId::MpAppId)),
            row("AppSecret", FormValue::Field(FieldId::MpAppSecret)),
        ],
        pastes_files: false,
    }];
    if kind.needs_service_account() {
        pages.push(FormPage {
            path: Some("渠道设置 → 微信公众号 → 公众号配置 → 公众号开发者信息"),
            rows: vec![
                row("AppID", FormValue::Field(FieldId::OaAppId)),
                row("AppSecret", FormValue::Field(FieldId::OaAppSecret)),
            ],
            pastes_files: false,
        });
    }
    pages.push(FormPage {
        path: Some("系统设置 → 支付设置 → 支付配置 → 微信支付「配置」"),
        rows: vec![
            row("显示名称", FormValue::Field(FieldId::PaymentName)),
            row("微信支付商户号", FormValue::Field(FieldId::MchId)),
            row("商户API密钥", FormValue::Field(FieldId::ApiKeyV3)),
            row("微信支付证书", FormValue::CertificateFile),
            row("微信支付证书密钥", FormValue::PrivateKeyFile),
        ],
        pastes_files: true,
    });
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_two_adds_the_service_account() {
        let one = backend_form(SiteKind::MiniProgram);
        let two = backend_form(SiteKind::SiteAndMiniProgram);
        assert_eq!(one.len(), 7);
        assert_eq!(two.len(), 9);
        assert!(
            two.iter()
                .any(|r| r.value == FormValue::Field(FieldId::OaAppSecret))
        );
        assert!(
            !one.iter()
                .any(|r| r.value == FormValue::Field(FieldId::OaAppId))
        );
    }

    /// Trial m7: likeadmin's own pages and labels (as its admin's vue files
    /// have them); its 商户API密钥 takes the APIv3 key, and no row asks for the
    /// APIv2 key. Other systems keep the guide's form.
    #[test]
    fn likeadmin_gets_its_own_pages_and_the_apiv3_key() {
        for kind in [SiteKind::MiniProgram, SiteKind::SiteAndMiniProgram] {
            let pages = hand_form(Some(BackendKind::Likeadmin), kind);
            let rows: Vec<&FormRow> = pages.iter().flat_map(|p| &p.rows).collect();
            let key = rows.iter().find(|r| r.label == "商户API密钥").unwrap();
            assert_eq!(key.value, FormValue::Field(FieldId::ApiKeyV3));
            assert!(
                !rows
                    .iter()
                    .any(|r| r.value == FormValue::Field(FieldId::ApiKeyV2))
            );
            assert_eq!(
                rows.iter()
                    .any(|r| r.value == FormValue::Field(FieldId::OaAppSecret)),
                kind.needs_service_account()
            );
            assert!(pages.iter().all(|p| p.path.is_some()));
            assert!(pages.last().unwrap().pastes_files);
        }
        let other = hand_form(Some(BackendKind::Shopxo), SiteKind::MiniProgram);
        assert_eq!(other.len(), 1);
        assert_eq!(other[0].rows, backend_form(SiteKind::MiniProgram));
        assert_eq!(hand_form(None, SiteKind::MiniProgram), other);
    }

    #[test]
    fn cert_field_gets_the_certificate_despite_its_label() {
        let rows = backend_form(SiteKind::MiniProgram);
        let cert = rows
            .iter()
            .find(|r| r.label.contains("[apiclient_cert]"))
            .unwrap();
        assert_eq!(cert.value, FormValue::CertificateFile);
        let key = rows
            .iter()
            .find(|r| r.label.contains("[apiclient_key]"))
            .unwrap();
        assert_eq!(key.value, FormValue::PrivateKeyFile);
    }
}
