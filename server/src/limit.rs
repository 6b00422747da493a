//! A small in-memory rate limit by peer address: a token bucket per address. It guards sign-in
//! against guessing from one machine; the per-account lock-out (in the database, so shared by
//! every instance) guards each account whatever the address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct RateLimit {
    /// How many attempts an address may make at once.
    burst: f64,
    /// How many it earns back per second.
    per_second: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimit {
    pub fn new(burst: u32, per: Duration) -> Self {
        Self {
            burst: f64::from(burst),
            per_second: f64::from(burst) / per.as_secs_f64(),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Sign-in: 10 attempts a minute from one address, enough for an office behind one router.
    pub fn sign_in() -> Self {
        Self::new(10, Duration::from_secs(60))
    }

    /// Takes one attempt for `peer` at `now`: false if its bucket is empty.
    pub fn allow(&self, peer: IpAddr, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 10_000 {
            // Forget full buckets so that many addresses cannot grow this without bound.
            let (burst, rate) = (self.burst, self.per_second);
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = buckets.entry(peer).or_insert((self.burst, now));
        *tokens =
            (*tokens + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_held_back_after_its_burst_and_earns_attempts_back() {
        let limit = RateLimit::new(3, Duration::from_secs(60));
        let (a, b): (IpAddr, IpAddr) = ([10, 0, 0, 1].into(), [10, 0, 0, 2].into());
        let t = Instant::now();
        assert!((0..3).all(|_| limit.allow(a, t)));
        assert!(!limit.allow(a, t));
        assert!(limit.allow(b, t), "another address has its own bucket");
        assert!(
            limit.allow(a, t + Duration::from_secs(20)),
            "one back after 20 s"
        );
        assert!(!limit.allow(a, t + Duration::from_secs(20)));
    }
}
