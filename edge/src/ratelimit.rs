//! A bounded in-isolate rate limiter: one token bucket per key (a client
//! address, or a target host), time passed in by the caller.
//!
//! A Workers isolate lives for many requests but is one of many, so this
//! limits what one isolate lets through; on Cloudflare the rate-limiting
//! binding can be added in front for a global limit. Memory is bounded:
//! at most `max_keys` buckets; when full, buckets that have refilled (they
//! say nothing a fresh one would not) go first, then the least recently
//! used.

use std::collections::HashMap;
use std::net::IpAddr;
use std::str::FromStr;

/// `count` events per `per_s` seconds, with bursts of up to `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub per_s: u32,
}

impl Rate {
    #[must_use]
    pub const fn new(count: u32, per_s: u32) -> Self {
        Self { count, per_s }
    }
}

impl FromStr for Rate {
    type Err = ();

    /// `N/SECONDS`, both 1 to 86400.
    fn from_str(s: &str) -> Result<Self, ()> {
        let (n, per) = s.split_once('/').ok_or(())?;
        let parse = |t: &str| -> Result<u32, ()> {
            let t = t.trim();
            if t.is_empty() || t.len() > 5 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(());
            }
            t.parse::<u32>().ok().filter(|v| (1..=86_400).contains(v)).ok_or(())
        };
        Ok(Self::new(parse(n)?, parse(per)?))
    }
}

/// The probe API's two limits: per client, and per target address across
/// all clients (so that many clients, or many names for one server, cannot
/// be used to hammer one mail server).
#[derive(Debug)]
pub struct ProbeLimiter {
    clients: RateLimiter,
    targets: RateLimiter,
}

impl ProbeLimiter {
    #[must_use]
    pub fn new(client_rate: Rate, target_rate: Rate, max_keys: usize) -> Self {
        Self { clients: RateLimiter::new(client_rate, max_keys), targets: RateLimiter::new(target_rate, max_keys) }
    }

    /// (per client, per target).
    #[must_use]
    pub fn rates(&self) -> (Rate, Rate) {
        (self.clients.rate(), self.targets.rate())
    }

    /// Takes one probe from `client`'s bucket.
    pub fn check_client(&mut self, client: &str, now_ms: u64) -> Result<(), u64> {
        self.clients.check(client, now_ms)
    }

    /// Takes one probe from each address's bucket; refused when any is
    /// empty (the milliseconds until it refills).
    pub fn check_targets(&mut self, addresses: &[IpAddr], now_ms: u64) -> Result<(), u64> {
        for address in addresses {
            self.targets.check(&format!("target:{address}"), now_ms)?;
        }
        Ok(())
    }
}

/// The key all clients share when none can be told apart.
pub const SHARED_CLIENT: &str = "shared";

/// Longest client key kept (a header value is untrusted input).
const MAX_KEY_CHARS: usize = 64;

/// The rate-limit key of a request's client.
///
/// `configured_header` is the operator's `GELEIT_CLIENT_IP_HEADER`: a header
/// their own proxy sets. Without one, `cf-connecting-ip` is used only where
/// Cloudflare sets it (`on_cloudflare`; there a client cannot forge it).
/// Anywhere else a client could choose the header, and so its own bucket, so
/// all clients share one.
pub fn client_key(
    configured_header: Option<&str>,
    on_cloudflare: bool,
    header: impl Fn(&str) -> Option<String>,
) -> String {
    let name = match configured_header {
        Some(name) => name,
        None if on_cloudflare => "cf-connecting-ip",
        None => return SHARED_CLIENT.to_owned(),
    };
    match header(name) {
        Some(value) if !value.trim().is_empty() => {
            let value = value.trim();
            let cut = value.char_indices().nth(MAX_KEY_CHARS).map_or(value.len(), |(i, _)| i);
            format!("client:{}", &value[..cut])
        }
        _ => SHARED_CLIENT.to_owned(),
    }
}

/// Tokens are counted in thousandths, so refill needs no floating point.
const MILLI: u64 = 1000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Thousandths of a token.
    tokens: u64,
    last_ms: u64,
}

/// Token buckets per key.
#[derive(Debug)]
pub struct RateLimiter {
    rate: Rate,
    max_keys: usize,
    buckets: HashMap<String, Bucket>,
}

impl RateLimiter {
    #[must_use]
    pub fn new(rate: Rate, max_keys: usize) -> Self {
        Self { rate, max_keys: max_keys.max(1), buckets: HashMap::new() }
    }

    /// The rate; a limiter is rebuilt when the operator changes it.
    #[must_use]
    pub fn rate(&self) -> Rate {
        self.rate
    }

    fn capacity(&self) -> u64 {
        u64::from(self.rate.count).saturating_mul(MILLI)
    }

    /// Thousandths of a token regained in `elapsed_ms`.
    fn refill(&self, elapsed_ms: u64) -> u64 {
        // count tokens per per_s*1000 ms = count*1000 thousandths per per_s*1000 ms.
        elapsed_ms.saturating_mul(u64::from(self.rate.count)) / u64::from(self.rate.per_s.max(1))
    }

    fn current(&self, bucket: Bucket, now_ms: u64) -> u64 {
        let elapsed = now_ms.saturating_sub(bucket.last_ms);
        bucket.tokens.saturating_add(self.refill(elapsed)).min(self.capacity())
    }

    /// Takes one token for `key` at `now_ms`; on refusal, the milliseconds
    /// until one is available.
    pub fn check(&mut self, key: &str, now_ms: u64) -> Result<(), u64> {
        let capacity = self.capacity();
        let tokens = match self.buckets.get(key) {
            Some(&b) => self.current(b, now_ms),
            None => {
                self.make_room(now_ms);
                capacity
            }
        };
        if tokens >= MILLI {
            self.buckets.insert(key.to_owned(), Bucket { tokens: tokens - MILLI, last_ms: now_ms });
            Ok(())
        } else {
            // The bucket stays as it was: refill is counted from its last
            // success, so frequent refused calls cannot starve it by rounding.
            let missing = MILLI - tokens;
            let per_ms = u64::from(self.rate.count);
            let ms_per_s = u64::from(self.rate.per_s);
            // missing thousandths * per_s*1000 ms / (count*1000), rounded up.
            Err(missing.saturating_mul(ms_per_s).div_ceil(per_ms.max(1)))
        }
    }

    /// Number of keys held (bounded by `max_keys`).
    #[must_use]
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    fn make_room(&mut self, now_ms: u64) {
        if self.buckets.len() < self.max_keys {
            return;
        }
        let capacity = self.capacity();
        let rate = self.rate;
        let per_s = u64::from(rate.per_s.max(1));
        let count = u64::from(rate.count);
        self.buckets.retain(|_, b| {
            let refill = now_ms.saturating_sub(b.last_ms).saturating_mul(count) / per_s;
            b.tokens.saturating_add(refill) < capacity
        });
        while self.buckets.len() >= self.max_keys {
            let oldest = self.buckets.iter().min_by_key(|(_, b)| b.last_ms).map(|(k, _)| k.clone());
            match oldest {
                Some(k) => {
                    self.buckets.remove(&k);
                }
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let mut l = RateLimiter::new(Rate::new(3, 60), 100);
        for _ in 0..3 {
            assert_eq!(l.check("a", 0), Ok(()));
        }
        // One token per 20 s.
        assert_eq!(l.check("a", 0), Err(20_000));
        assert_eq!(l.check("a", 10_000), Err(10_000));
        assert_eq!(l.check("a", 20_000), Ok(()));
        assert_eq!(l.check("a", 20_001), Err(20_000));
        // Other keys are independent.
        assert_eq!(l.check("b", 20_001), Ok(()));
    }

    #[test]
    fn never_more_than_capacity() {
        let mut l = RateLimiter::new(Rate::new(2, 1), 10);
        assert_eq!(l.check("a", 0), Ok(()));
        // A long pause refills to 2, not more.
        for _ in 0..2 {
            assert_eq!(l.check("a", 1_000_000), Ok(()));
        }
        assert!(l.check("a", 1_000_000).is_err());
    }

    #[test]
    fn memory_is_bounded_and_limited_keys_survive_idle_ones() {
        let mut l = RateLimiter::new(Rate::new(1, 3600), 3);
        assert_eq!(l.check("hot", 0), Ok(()));
        assert!(l.check("hot", 1).is_err());
        for i in 0..100 {
            let _ = l.check(&format!("k{i}"), 2 + i);
            assert!(l.len() <= 3);
        }
        // Flooding with other keys evicts least recently used: "hot" was
        // touched at 1 and is gone; that is the price of bounded memory.
        assert_eq!(l.len(), 3);
    }

    #[test]
    fn refilled_buckets_are_evicted_first() {
        let mut l = RateLimiter::new(Rate::new(1, 1), 2);
        assert_eq!(l.check("old", 0), Ok(()));
        assert_eq!(l.check("limited", 5_000), Ok(()));
        // "old" has refilled by 5000 ms; "limited" has not: "old" goes.
        assert_eq!(l.check("new", 5_000), Ok(()));
        assert!(l.check("limited", 5_000).is_err());
    }

    #[test]
    fn targets_are_limited_by_address_across_clients_and_names() {
        let mut l = ProbeLimiter::new(Rate::new(100, 60), Rate::new(2, 60), 100);
        let mx: IpAddr = "192.0.2.25".parse().unwrap();
        let other: IpAddr = "192.0.2.26".parse().unwrap();
        for client in ["a", "b"] {
            assert_eq!(l.check_client(client, 0), Ok(()));
            assert_eq!(l.check_targets(&[mx], 0), Ok(()));
        }
        // A third client (or a third name for the same address) is refused.
        assert_eq!(l.check_client("c", 0), Ok(()));
        assert_eq!(l.check_targets(&[other, mx], 0), Err(30_000));
        assert_eq!(l.check_targets(&[other], 0), Ok(()));
        assert_eq!(l.rates(), (Rate::new(100, 60), Rate::new(2, 60)));
    }

    #[test]
    fn client_keys() {
        let headers = |name: &str| match name {
            "cf-connecting-ip" => Some("192.0.2.7".to_owned()),
            "x-real-ip" => Some(format!(" 198.51.100.{} ", "9".repeat(100))),
            _ => None,
        };
        // On Cloudflare the header is Cloudflare's own.
        assert_eq!(client_key(None, true, headers), "client:192.0.2.7");
        // Self-hosted without a configured header: anyone could forge it.
        assert_eq!(client_key(None, false, headers), SHARED_CLIENT);
        // The operator's proxy header, capped.
        let key = client_key(Some("x-real-ip"), false, headers);
        assert_eq!(key.len(), "client:".len() + 64);
        assert!(key.starts_with("client:198.51.100.999"));
        assert_eq!(client_key(Some("x-missing"), true, headers), SHARED_CLIENT);
    }

    #[test]
    fn rate_parsing() {
        assert_eq!("10/60".parse(), Ok(Rate::new(10, 60)));
        assert_eq!(" 1 / 1 ".parse(), Ok(Rate::new(1, 1)));
        for bad in ["", "10", "0/60", "10/0", "-1/5", "1/86401", "a/b", "1/+5"] {
            assert_eq!(bad.parse::<Rate>(), Err(()), "{bad}");
        }
    }
}
