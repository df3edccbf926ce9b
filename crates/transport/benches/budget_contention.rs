//! The cost of one pacing decision of a client's budget when many threads share it: the
//! lock, the clock, the model's decision and the observation of the answer.
//!
//! Run with `cargo bench -p droplet-action-transport --bench budget_contention`.

use std::time::Duration;

use droplet_action_model::{BudgetConfig, RateLimit, ResponseMeta};
use droplet_action_transport::{LocalBudget, RequestBudget};

fn main() {
    divan::main();
}

/// A budget that never binds (its bookkeeping still runs), as a client paced far above
/// its real rate has.
fn roomy() -> LocalBudget {
    LocalBudget::new(
        BudgetConfig::default()
            .requests_per_minute(Some(u32::MAX))
            .spread(false),
    )
}

fn answer() -> ResponseMeta {
    ResponseMeta {
        status: 200,
        rate_limit: Some(RateLimit {
            limit: 5000,
            remaining: 4000,
            reset: jiff::Timestamp::now().as_second() + 1800,
        }),
        request_id: None,
        retry_after: None,
    }
}

/// One reservation, by 1, 8 or 64 threads at once on the same budget.
#[divan::bench(threads = [1, 8, 64])]
fn reserve(bencher: divan::Bencher<'_, '_>) {
    let budget = roomy();
    bencher.bench(|| budget.try_reserve(divan::black_box(Duration::from_secs(30))));
}

/// A reservation and the observation of its answer, as every request makes them.
#[divan::bench(threads = [1, 8, 64])]
fn reserve_and_observe(bencher: divan::Bencher<'_, '_>) {
    let budget = roomy();
    let meta = answer();
    bencher.bench(|| {
        let slot = budget.try_reserve(divan::black_box(Duration::from_secs(30)));
        budget.observe(divan::black_box(&meta));
        slot
    });
}
