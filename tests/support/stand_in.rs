//! What the shop-backend stand-ins (backend_server, crmeb_server, shopxo_server)
//! read from a request the same way: a header, a form body, the parts of a
//! multipart body. (wechat_server keeps its own: the examples build it alone.)
#![allow(dead_code)]

/// The value of header `name`, when sent.
pub fn header(req: &tiny_http::Request, name: &'static str) -> Option<String> {
    req.headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str().to_owned())
}

/// An `application/x-www-form-urlencoded` body, in order.
pub fn form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// One part of a multipart body.
pub struct FormPart {
    pub name: String,
    /// Set for a file.
    pub file_name: Option<String>,
    pub content: String,
}

/// The parts of a multipart body; `None` when `content_type` names no boundary.
pub fn multipart(content_type: &str, body: &[u8]) -> Option<Vec<FormPart>> {
    let boundary = content_type.split("boundary=").nth(1)?.trim_matches('"');
    let text = String::from_utf8_lossy(body);
    let mut out = Vec::new();
    for part in text.split(&format!("--{boundary}")) {
        let Some((head, content)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let attr = |a: &str| {
            head.split(&format!("{a}=\""))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .map(str::to_owned)
        };
        let Some(name) = attr("name") else { continue };
        out.push(FormPart {
            name,
            file_name: attr("filename"),
            content: content.strip_suffix("\r\n").unwrap_or(content).to_owned(),
        });
    }
    Some(out)
}
