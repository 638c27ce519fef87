//! What a browser would submit from an HTML form: ShopXO's settings pages are HTML
//! forms (there is no JSON read of a payment method), so reading what it holds means
//! reading the form its page shows, and writing means submitting that form back with
//! our values in it. A small tag scanner, not an HTML parser: it finds `<input>`,
//! `<textarea>` and `<select>`/`<option>` and their attributes, and follows ShopXO's
//! own form serializer (`GetFormVal` in its common.js): values trimmed, checked boxes
//! of one name joined by commas, an unchecked switch (`data-am-switch`) sent as 0,
//! a single select's selected option (else its first).
//!
//! Pure and fed any text: the fuzz target runs it on hostile bodies.

/// The form's fields in document order, as (name, value).
pub fn fields(html: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut boxes: Vec<(String, Vec<String>)> = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(rel) = lower[at..].find('<') {
        let start = at + rel;
        let rest = &lower[start + 1..];
        let tag = if rest.starts_with("input") {
            "input"
        } else if rest.starts_with("textarea") {
            "textarea"
        } else if rest.starts_with("select") {
            "select"
        } else {
            at = start + 1;
            continue;
        };
        let Some(end) = tag_end(html, start) else {
            break;
        };
        let attrs = attributes(&html[start + 1 + tag.len()..end]);
        let get = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        let name = get("name").map(decode).unwrap_or_default();
        at = end + 1;
        match tag {
            "input" => {
                if name.is_empty() {
                    continue;
                }
                let kind = get("type").unwrap_or("text").to_ascii_lowercase();
                let value = decode(get("value").unwrap_or("")).trim().to_owned();
                let checked = get("checked").is_some();
                match kind.as_str() {
                    "checkbox" => {
                        let switch = get("data-am-switch").is_some();
                        let slot = match boxes.iter().position(|(n, _)| *n == name) {
                            Some(i) => i,
                            None => {
                                boxes.push((name.clone(), Vec::new()));
                                out.push((name.clone(), String::new()));
                                boxes.len() - 1
                            }
                        };
                        if checked {
                            boxes[slot].1.push(value);
                        } else if switch && boxes[slot].1.is_empty() {
                            // ShopXO's serializer sends an unchecked switch as 0
                            boxes[slot].1.push("0".into());
                        }
                    }
                    "radio" => {
                        if checked {
                            out.push((name, value));
                        }
                    }
                    "submit" | "button" | "reset" | "image" | "file" => {}
                    _ => out.push((name, value)),
                }
            }
            "textarea" => {
                let close = lower[at..]
                    .find("</textarea")
                    .map_or(html.len(), |i| at + i);
                let text = decode(&html[at..close]).trim().to_owned();
                at = close;
                if !name.is_empty() {
                    out.push((name, text));
                }
            }
            _ => {
                let close = lower[at..].find("</select").map_or(html.len(), |i| at + i);
                let multiple = get("multiple").is_some();
                let options = options(&html[at..close]);
                at = close;
                if name.is_empty() {
                    continue;
                }
                let selected: Vec<String> = options
                    .iter()
                    .filter(|(_, s)| *s)
                    .map(|(v, _)| v.clone())
                    .collect();
                let value = if multiple {
                    selected.join(",")
                } else {
                    selected
                        .first()
                        .or(options.first().map(|(v, _)| v))
                        .cloned()
                        .unwrap_or_default()
                };
                out.push((name, value));
            }
        }
    }
    for (name, values) in boxes {
        // a checkbox group of one name is one field, its checked values joined
        let joined = values
            .iter()
            .filter(|v| values.len() == 1 || *v != "0")
            .cloned()
            .collect::<Vec<_>>()
            .join(",");
        if let Some(slot) = out.iter_mut().find(|(n, v)| *n == name && v.is_empty()) {
            slot.1 = joined;
        }
    }
    out
}

/// The `>` that ends the tag opened at `start`, outside quoted attribute values.
fn tag_end(html: &str, start: usize) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, b) in html.bytes().enumerate().skip(start + 1) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// `name="value"`, `name='value'`, `name=value` and bare `name`, names lower-cased.
fn attributes(s: &str) -> Vec<(String, String)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        if start == i {
            i += 1;
            continue;
        }
        let name = s[start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let value = if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                let ve = s[vs..]
                    .bytes()
                    .position(|c| c == q)
                    .map_or(s.len(), |p| vs + p);
                i = (ve + 1).min(b.len());
                &s[vs..ve]
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                &s[vs..i]
            };
            out.push((name, value.to_owned()));
        } else {
            out.push((name, String::new()));
        }
    }
    out
}

/// The options of a select: value (or text) and whether selected.
fn options(inner: &str) -> Vec<(String, bool)> {
    let lower = inner.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(rel) = lower[at..].find("<option") {
        let start = at + rel;
        let Some(end) = tag_end(inner, start) else {
            break;
        };
        let attrs = attributes(&inner[start + "<option".len()..end]);
        let text_end = lower[end..].find('<').map_or(inner.len(), |i| end + i);
        let value = attrs
            .iter()
            .find(|(k, _)| k == "value")
            .map(|(_, v)| decode(v))
            .unwrap_or_else(|| decode(&inner[end + 1..text_end]));
        let selected = attrs.iter().any(|(k, _)| k == "selected");
        out.push((value.trim().to_owned(), selected));
        at = end + 1;
    }
    out
}

/// HTML character references back to text (`&amp;` `&lt;` `&#039;` `&#x27;` ...).
pub fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.bytes().take(12).position(|b| b == b';');
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let n = match num.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(n)
                }
            }?;
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_shopxo_payment_form_as_its_serializer_would_send_it() {
        let html = r#"
<form class="am-form" action="/admin8a3f.php?s=payment/save.html" method="POST">
 <input type="text" name="name" minlength="2" value="微信 &amp; 支付" required />
 <label><input type="checkbox" name="apply_terminal" value="pc" checked data-am-ucheck /> PC</label>
 <label><input type="checkbox" name="apply_terminal" value="h5" data-am-ucheck /> H5</label>
 <label><input type="checkbox" name="apply_terminal" value="weixin" checked /> 小程序</label>
 <input type="text" name="logo" value="/static/upload/images/weixin.png" />
 <input class="am-radius" type="text" name="plugins_mch_id" value=" 1900006031 " />
 <input type='text' name=plugins_key value="k&#039;ey" >
 <textarea class="am-radius" name="plugins_apiclient_cert" rows="6">
-----BEGIN CERTIFICATE-----
MIIB&lt;x&gt;
-----END CERTIFICATE-----
 </textarea>
 <select class="chosen-select" name="plugins_agreement"><option value="1">默认</option><option value="2" selected>强制</option></select>
 <select name="plugins_is_h5_url_encode"><option value="1">是</option><option value="2">否</option></select>
 <input type="number" name="sort" value="0" />
 <input name="is_open_user" value="1" type="checkbox" data-am-switch checked="true" />
 <input name="is_enable" value="1" type="checkbox" data-am-switch />
 <input type="hidden" name="id" value="7" />
 <button type="submit">保存</button>
</form>"#;
        let f = fields(html);
        let get = |n: &str| f.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        assert_eq!(get("name"), Some("微信 & 支付"));
        assert_eq!(get("apply_terminal"), Some("pc,weixin"));
        assert_eq!(get("plugins_mch_id"), Some("1900006031"));
        assert_eq!(get("plugins_key"), Some("k'ey"));
        assert_eq!(
            get("plugins_apiclient_cert"),
            Some("-----BEGIN CERTIFICATE-----\nMIIB<x>\n-----END CERTIFICATE-----")
        );
        assert_eq!(get("plugins_agreement"), Some("2"));
        assert_eq!(get("plugins_is_h5_url_encode"), Some("1"), "first option");
        assert_eq!(get("is_open_user"), Some("1"));
        assert_eq!(get("is_enable"), Some("0"), "an unchecked switch is 0");
        assert_eq!(get("id"), Some("7"));
        assert_eq!(f.iter().filter(|(k, _)| k == "apply_terminal").count(), 1);
        let names: Vec<&str> = f.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names.first(), Some(&"name"));
    }

    #[test]
    fn broken_html_gives_what_it_can_and_never_panics() {
        for s in [
            "<input",
            "<input name=\"a",
            "<textarea name=x>never closed",
            "<select name=s><option",
            "&#xFFFFFFFF; &#1114112; &am",
            "<input name=é value=ü>",
            "<<<>>>",
        ] {
            let _ = fields(s);
        }
        assert_eq!(decode("&#x41;&#66;&unknown;&"), "AB&unknown;&");
    }
}
