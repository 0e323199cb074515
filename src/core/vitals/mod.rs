//! Web Vitals arithmetic over performance entries passed in by the shell.
//!
//! The rules follow Google's `web-vitals` library (v5, with the v6 changes
//! noted where they differ) so that the numbers match it: values, deltas,
//! ratings, when a value is final, and the attribution breakdowns. The shell
//! observes the browser and calls [`WebVitals`] (or the single metrics) with
//! plain records; it schedules idle callbacks and animation frames, reads
//! clocks and draws the random numbers for ids.

pub mod attribution;
pub mod cls;
pub mod entries;
pub mod fcp;
pub mod inp;
pub mod lcp;
pub mod page;
pub mod rating;
pub mod report;
pub mod session;
pub mod ttfb;

pub use attribution::{Attribution, ClsAttribution, FcpAttribution, InpAttribution, InteractionType, LcpAttribution, TtfbAttribution};
pub use entries::{
    EventEntryType, EventTiming, LayoutShift, LayoutShiftSource, LcpEntry, NavigationEntryType, NavigationTiming, PaintEntry, ResourceTiming,
    VisibilityState, VisibilityStateEntry,
};
pub use lcp::{input_finalizes_lcp, InputKind};
pub use page::{Page, PageStart};
pub use report::{generate_id, NavigationType, VitalName, VitalReport};
pub use session::{PendingRecords, VitalIds, VitalsOptions, WebVitals};
