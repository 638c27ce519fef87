//! Where a kept backend credential may be sent: only to the address it was
//! accepted at (third window trial, Major 1: the admin password kept from a push
//! went to whatever address was typed next). An address is compared by its origin
//! (scheme, host, port; normalized: lower-case host, default port dropped,
//! international names in their ASCII form), which is no secret and is kept in the
//! profile beside the address. Pure.

/// The origin of an admin or receiver address, `https://shop.example.com` or
/// `http://127.0.0.1:8080`; `None` when it is not an http(s) address with a host.
pub fn origin(url: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    if u.host_str().is_none() || !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    Some(u.origin().ascii_serialization())
}

/// The recorded origin of a token given with the shop (an import file without an
/// address) that was never sent: it goes to the first address that accepts it,
/// and is kept for that one from then on.
pub const UNSENT: &str = "unsent";

/// A kept credential recorded for `kept_for` (an origin; empty: a profile from
/// before origins were kept, which records none) may go to `url` only when that is
/// the same origin. `Err` holds the origin it belongs to (empty when none).
pub fn may_send(kept_for: &str, url: &str) -> Result<(), String> {
    match origin(url) {
        Some(_) if kept_for == UNSENT => Ok(()),
        Some(o) if !kept_for.is_empty() && o == kept_for => Ok(()),
        _ => Err(kept_for.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_is_scheme_host_and_port_normalized() {
        assert_eq!(
            origin(" HTTPS://Shop.Example.com:443/admin/#/login ").as_deref(),
            Some("https://shop.example.com")
        );
        assert_eq!(
            origin("http://127.0.0.1:53037/admin").as_deref(),
            Some("http://127.0.0.1:53037")
        );
        assert_eq!(
            origin("https://店.example.com/admin").as_deref(),
            Some("https://xn--hxt.example.com")
        );
        assert_eq!(origin("shop.example.com/admin"), None);
        assert_eq!(origin("ftp://shop.example.com"), None);
        assert_eq!(origin(""), None);
    }

    #[test]
    fn a_kept_credential_goes_only_to_its_own_origin() {
        let kept = "https://shop.example.com";
        assert_eq!(may_send(kept, "https://shop.example.com/admin"), Ok(()));
        assert_eq!(may_send(kept, "https://SHOP.example.com:443/"), Ok(()));
        for other in [
            "https://shop.example.com.evil.test/admin",
            "http://shop.example.com/admin",
            "https://shop.example.com:8443/admin",
            "https://shop.examp1e.com/admin",
            "not an address",
        ] {
            assert_eq!(may_send(kept, other), Err(kept.to_owned()), "{other}");
        }
        assert_eq!(may_send(UNSENT, "https://any.example.com/api"), Ok(()));
        assert_eq!(may_send(UNSENT, "no address"), Err(UNSENT.to_owned()));
        // a profile that recorded none (an older version): nothing goes anywhere
        assert_eq!(
            may_send("", "https://shop.example.com/admin"),
            Err(String::new())
        );
    }
}
