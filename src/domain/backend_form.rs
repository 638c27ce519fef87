//! The shop backend's WeChat Pay form (网站后台 -> 商城 -> 在线支付 -> 添加支付方式 ->
//! 微信支付): each field's label exactly as the backend shows it, and which of our
//! values goes there. The labels are Chinese in every UI language because that is
//! what the user will see on the backend's screen.

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

pub const CERT_FILE_NAME: &str = "apiclient_cert.pem";
pub const KEY_FILE_NAME: &str = "apiclient_key.pem";

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
