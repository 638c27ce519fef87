//! Reading an HTTP reply's body with a limit. WeChat's replies, and the shop
//! backends', are a few KB; a server (or something posing as one) that sends an
//! endless or huge body must end as a clear failure after a small, fixed amount
//! of memory, never as a verdict drawn from the first megabyte. Every body we
//! read goes through [`read_limited_until`]: WeChat's (`wechat_http`) and the shop
//! backends' (`backend_http`), each with its deadline for the whole reply.

use std::io::Read;
use std::time::Instant;

/// The most we read of one reply body: 1 MiB, some hundred times a real reply.
pub const BODY_LIMIT: u64 = 1 << 20;

/// Why a body was not read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// More than the limit arrived: the reply is not one we can judge.
    #[error("the reply is over {limit} bytes")]
    TooLarge { limit: u64 },
    /// The deadline passed while the body was still arriving (a trickle).
    #[error("the reply was still arriving at the deadline")]
    Late,
    /// Reading failed (a timeout, a reset): the underlying error.
    #[error(transparent)]
    Read(std::io::Error),
}

/// The whole of `body`, at most `limit` bytes, and (with a `deadline`) only while
/// it comes in before then. Reads through a bounded reader (one byte past the
/// limit, to tell "exactly the limit" from "more"): memory stays under `limit` +
/// one read buffer whatever the sender does; a body that trickles past the
/// deadline ends at the first read after it.
pub fn read_limited_until(
    body: impl Read,
    limit: u64,
    deadline: Option<Instant>,
) -> Result<Vec<u8>, BodyError> {
    let mut body = body.take(limit.saturating_add(1));
    let mut out = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match body.read(&mut chunk) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(BodyError::Read(e)),
        }
        if out.len() as u64 > limit {
            return Err(BodyError::TooLarge { limit });
        }
        if deadline.is_some_and(|d| Instant::now() > d) {
            return Err(BodyError::Late);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_within_the_limit_is_read_whole() {
        assert_eq!(read_limited_until(&b"{}"[..], 2, None).unwrap(), b"{}");
        assert_eq!(read_limited_until(&b""[..], 0, None).unwrap(), b"");
    }

    #[test]
    fn an_endless_body_stops_one_byte_past_the_limit() {
        let mut endless = std::io::repeat(b'x');
        match read_limited_until(&mut endless, 1000, None) {
            Err(BodyError::TooLarge { limit }) => assert_eq!(limit, 1000),
            other => panic!("{:?}", other.map(|b| b.len())),
        }
        // one byte over is over
        assert!(matches!(
            read_limited_until(&b"abc"[..], 2, None),
            Err(BodyError::TooLarge { limit: 2 })
        ));
    }

    #[test]
    fn a_body_still_arriving_after_the_deadline_is_late() {
        let past = Some(Instant::now() - std::time::Duration::from_secs(1));
        assert!(matches!(
            read_limited_until(std::io::repeat(b'x').take(10), 1000, past),
            Err(BodyError::Late)
        ));
        // an empty body has nothing left to wait for
        assert_eq!(read_limited_until(&b""[..], 1000, past).unwrap(), b"");
        let later = Some(Instant::now() + std::time::Duration::from_secs(60));
        assert_eq!(read_limited_until(&b"{}"[..], 2, later).unwrap(), b"{}");
    }

    #[test]
    fn a_read_failure_is_handed_on() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "slow"))
            }
        }
        match read_limited_until(Broken, 10, None) {
            Err(BodyError::Read(e)) => assert_eq!(e.kind(), std::io::ErrorKind::TimedOut),
            other => panic!("{other:?}"),
        }
    }
}
