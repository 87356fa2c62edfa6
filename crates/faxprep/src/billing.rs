//! Credits: one credit per started block of ten pages, cover included; the
//! free plan sends at most five pages including its cover.

use crate::Plan;

/// Pages in one credit's block.
pub const PAGES_PER_CREDIT: u32 = 10;

/// The most pages (cover included) a free-plan fax may have.
pub const FREE_PLAN_MAX_PAGES: u32 = 5;

/// What a fax will cost, computed before or after preparing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Quote {
    /// Pages that will be transmitted, cover included.
    pub total_pages: u32,
    /// Credits charged: `ceil(total_pages / 10)`.
    pub credits: u32,
}

/// Why a fax cannot be billed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BillingError {
    /// A fax has at least one page; zero is a caller bug.
    NoPages,
    /// The free plan allows at most [`FREE_PLAN_MAX_PAGES`] pages, cover
    /// included.
    FreePlanPageLimit {
        /// Pages the fax would have, cover included.
        total_pages: u32,
        /// The free plan's limit.
        limit: u32,
    },
}

impl std::fmt::Display for BillingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BillingError::NoPages => f.write_str("a fax must have at least one page"),
            BillingError::FreePlanPageLimit { total_pages, limit } => write!(
                f,
                "the free plan sends at most {limit} pages including the cover; this fax has \
                 {total_pages}"
            ),
        }
    }
}

impl std::error::Error for BillingError {}

/// Quote a fax of `document_pages` pages (plus one if `cover`) on `plan`.
///
/// The free plan always carries a cover, so `cover` is taken as true for it.
/// This is the function a backend calls to show the price before preparing.
///
/// ```
/// use faxprep::{Plan, billing::quote};
/// assert_eq!(quote(9, true, Plan::Paid).unwrap().credits, 1);
/// assert_eq!(quote(10, true, Plan::Paid).unwrap().credits, 2);
/// assert!(quote(5, false, Plan::Free).is_err()); // 5 + the free cover = 6
/// ```
pub fn quote(document_pages: u32, cover: bool, plan: Plan) -> Result<Quote, BillingError> {
    let cover = cover || plan == Plan::Free;
    let total_pages = document_pages.saturating_add(u32::from(cover));
    if total_pages == 0 {
        return Err(BillingError::NoPages);
    }
    if plan == Plan::Free && total_pages > FREE_PLAN_MAX_PAGES {
        return Err(BillingError::FreePlanPageLimit {
            total_pages,
            limit: FREE_PLAN_MAX_PAGES,
        });
    }
    Ok(Quote {
        total_pages,
        credits: total_pages.div_ceil(PAGES_PER_CREDIT),
    })
}

/// Credits for a fax of `total_pages` pages, cover included (no plan check).
pub fn credits(total_pages: u32) -> Result<u32, BillingError> {
    if total_pages == 0 {
        return Err(BillingError::NoPages);
    }
    Ok(total_pages.div_ceil(PAGES_PER_CREDIT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_table() {
        assert_eq!(credits(0), Err(BillingError::NoPages));
        for (pages, want) in [
            (1, 1),
            (9, 1),
            (10, 1),
            (11, 2),
            (20, 2),
            (21, 3),
            (300, 30),
        ] {
            assert_eq!(credits(pages), Ok(want), "{pages} pages");
        }
    }

    #[test]
    fn free_plan_counts_its_cover() {
        assert_eq!(
            quote(4, false, Plan::Free).unwrap(),
            Quote {
                total_pages: 5,
                credits: 1
            }
        );
        assert_eq!(
            quote(5, false, Plan::Free),
            Err(BillingError::FreePlanPageLimit {
                total_pages: 6,
                limit: 5
            })
        );
        assert_eq!(quote(0, false, Plan::Paid), Err(BillingError::NoPages));
        assert_eq!(quote(10, false, Plan::Paid).unwrap().credits, 1);
        assert_eq!(
            quote(10, true, Plan::Paid).unwrap(),
            Quote {
                total_pages: 11,
                credits: 2
            }
        );
    }
}
