//! This process's own requests of the last hour, counted in buckets.

use super::{HOUR_SECONDS, NANOS_PER_SECOND};

/// The own requests of the last hour are counted in buckets of this many seconds.
const BUCKET_SECONDS: u64 = 10;
const BUCKETS: usize = (HOUR_SECONDS as u64 / BUCKET_SECONDS) as usize;

/// This process's answered requests of the last hour, in buckets of 10 s; a bucket partly
/// out of the hour still counts whole, so others' share is never overestimated.
#[derive(Clone)]
pub(super) struct HourCount {
    buckets: [u32; BUCKETS],
    /// The bucket of the latest request: its time over the bucket length.
    latest: u64,
    total: u32,
}

impl Default for HourCount {
    fn default() -> Self {
        Self {
            buckets: [0; BUCKETS],
            latest: 0,
            total: 0,
        }
    }
}

impl std::fmt::Debug for HourCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HourCount")
            .field("latest", &self.latest)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl HourCount {
    pub(super) fn record(&mut self, now: u64) {
        let bucket = now / (BUCKET_SECONDS * NANOS_PER_SECOND);
        // Buckets that left the hour are emptied; at most all of them, once each.
        let stale = bucket.saturating_sub(self.latest).min(BUCKETS as u64);
        for step in 1..=stale {
            let index = (self.latest.wrapping_add(step) % BUCKETS as u64) as usize;
            self.total = self.total.saturating_sub(self.buckets[index]);
            self.buckets[index] = 0;
        }
        // A clock that went backwards counts in the latest bucket.
        self.latest = self.latest.max(bucket);
        let index = (self.latest % BUCKETS as u64) as usize;
        self.buckets[index] = self.buckets[index].saturating_add(1);
        self.total = self.total.saturating_add(1);
    }

    pub(super) fn total(&self) -> u32 {
        self.total
    }
}
