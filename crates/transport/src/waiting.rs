//! The state of one action being waited for, shared by the blocking waits and the
//! [`Waiter`](crate::Waiter): the model's machine, what it saw, and the outcome it ends with.

use std::time::Duration;

use droplet_action_model::{ActionRequest, ActionStatus, Observation, Wait, WaitConfig, WaitEnd};

use crate::{ActionResponse, Error, PollEvent};

/// A poll that times out this close to the deadline was cut short by it.
const DEADLINE_SLACK: Duration = Duration::from_millis(5);

/// The state of one action being waited for: the model's machine, and what it saw.
pub(crate) struct Waiting {
    pub(crate) request: ActionRequest,
    pub(crate) wait: Wait,
    pub(crate) last: Option<Box<ActionResponse>>,
    pub(crate) last_error: Option<Box<Error>>,
}

impl Waiting {
    pub(crate) fn new(request: ActionRequest, config: WaitConfig, now: Duration) -> Self {
        Self {
            request,
            wait: Wait::new(config, now),
            last: None,
            last_error: None,
        }
    }

    /// What a request brought back, fed to the machine at `now`; returns the poll event
    /// of an answer, for the caller to report.
    pub(crate) fn feed(
        &mut self,
        now: Duration,
        outcome: Result<ActionResponse, Error>,
    ) -> Option<PollEvent> {
        if !self.wait.in_flight() {
            // No request is out: nothing to feed, nothing to report.
            return None;
        }
        let unix = jiff::Timestamp::now();
        let random = fastrand::u64(..);
        match outcome {
            Ok(mut answer) => {
                answer.polls = self.wait.polls();
                let status = answer.action.status.clone();
                let http_status = answer.meta.status;
                self.wait.feed(
                    now,
                    unix,
                    Observation::Action {
                        status: status.as_ref(),
                        meta: &answer.meta,
                    },
                    random,
                );
                let event = Some(self.event(now, status, Some(http_status)));
                self.last = Some(Box::new(answer));
                self.last_error = None;
                event
            }
            Err(error) => {
                let meta = error.details().map(|details| details.meta.clone());
                self.wait.feed(
                    now,
                    unix,
                    Observation::Failure {
                        retryable: error.is_retryable(),
                        meta: meta.as_ref(),
                    },
                    random,
                );
                // A poll cut short by the deadline itself is not the server's failure: the
                // last answer (and whatever failed before it) is the state to report.
                let cut_by_deadline = matches!(error, Error::Timeout { .. })
                    && self.last.is_some()
                    && self
                        .wait
                        .time_left(now)
                        .is_some_and(|left| left < DEADLINE_SLACK);
                let http_status = meta.map(|meta| meta.status);
                if !cut_by_deadline {
                    self.last_error = Some(Box::new(error));
                }
                Some(self.event(now, None, http_status))
            }
        }
    }

    /// The event of the request just fed, at `now`.
    pub(crate) fn event(
        &self,
        now: Duration,
        status: Option<ActionStatus>,
        http_status: Option<u16>,
    ) -> PollEvent {
        PollEvent {
            droplet_id: self.request.droplet_id.get(),
            action_id: self.request.action_id.get(),
            status,
            http_status,
            elapsed: now.saturating_sub(self.wait.started()),
            polls: self.wait.polls(),
            requests: self.wait.requests(),
            // None once the wait is over, or when the deadline comes before the next poll.
            next_poll_in: self
                .wait
                .next_request_at()
                .filter(|at| {
                    self.wait.ended().is_none()
                        && self.wait.deadline().is_none_or(|deadline| *at < deadline)
                })
                .map(|at| at.saturating_sub(now)),
        }
    }

    /// The time the last answer says the action started, for ordering polls.
    pub(crate) fn started_at(&self) -> Option<i64> {
        self.last
            .as_ref()
            .and_then(|answer| answer.action.started_at.as_ref())
            .map(|at| at.unix_seconds())
    }

    /// The outcome of a wait that ended with `end`, after `waited`.
    pub(crate) fn outcome(self, end: WaitEnd, waited: Duration) -> Result<ActionResponse, Error> {
        let polls = self.wait.polls();
        let requests = self.wait.requests();
        let ended = |error: Error, last: Option<Box<ActionResponse>>| Error::WaitEnded {
            error: Box::new(error),
            polls,
            requests,
            last,
        };
        match end {
            WaitEnd::Completed | WaitEnd::Errored => {
                let mut answer = *self.last.expect("a finished wait saw its action");
                answer.polls = polls;
                answer.attempts = requests;
                if end == WaitEnd::Completed {
                    Ok(answer)
                } else {
                    Err(Error::ActionErrored {
                        answer: Box::new(answer),
                    })
                }
            }
            WaitEnd::DeadlineExceeded => Err(Error::DeadlineExceeded {
                waited,
                polls,
                requests,
                last: self.last,
                last_error: self.last_error,
            }),
            WaitEnd::Cancelled => Err(Error::Cancelled {
                attempts: requests,
                polls,
                last: self.last,
                last_error: self.last_error,
            }),
            WaitEnd::RateLimited { reset_in } => Err(Error::RateLimited {
                reset_in,
                polls,
                requests,
                last: self.last,
            }),
            WaitEnd::Failed | WaitEnd::PauseTooLong { .. } | WaitEnd::BudgetExhausted { .. } => {
                let error = self.last_error.map_or_else(
                    || Error::invalid("the wait ended without a failure to report"),
                    |error| *error,
                );
                Err(ended(error, self.last))
            }
        }
    }
}
