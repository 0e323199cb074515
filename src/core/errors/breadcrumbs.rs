//! The last few things that happened before an error.

use super::clean::clip_owned;
use crate::core::model::Breadcrumb;
use std::collections::VecDeque;

/// Breadcrumbs kept, by default.
pub const DEFAULT_BREADCRUMBS: usize = 30;
/// Most breadcrumbs kept whatever the configuration says (each is copied into
/// every error reported).
pub const MAX_BREADCRUMBS: usize = 100;
/// Longest breadcrumb message kept, in chars.
pub const MAX_BREADCRUMB_MESSAGE_CHARS: usize = 300;
/// Longest breadcrumb category kept, in chars.
pub const MAX_BREADCRUMB_CATEGORY_CHARS: usize = 50;
/// Category of a breadcrumb that came without one (an event needs one on each).
const DEFAULT_CATEGORY: &str = "manual";

/// A ring of the last `capacity` breadcrumbs.
#[derive(Debug, Clone)]
pub struct Breadcrumbs {
    capacity: usize,
    ring: VecDeque<Breadcrumb>,
}

impl Default for Breadcrumbs {
    fn default() -> Self {
        Breadcrumbs::new(DEFAULT_BREADCRUMBS)
    }
}

impl Breadcrumbs {
    /// Keeps the last `capacity` breadcrumbs (at most [`MAX_BREADCRUMBS`]; 0 keeps none).
    pub fn new(capacity: usize) -> Self {
        Breadcrumbs { capacity: capacity.min(MAX_BREADCRUMBS), ring: VecDeque::new() }
    }

    /// Adds a breadcrumb, dropping the oldest when full. The message is
    /// trimmed and bounded (a blank one becomes `None`); a blank category
    /// becomes `manual`.
    pub fn add(&mut self, mut crumb: Breadcrumb) {
        if self.capacity == 0 {
            return;
        }
        crumb.message = crumb.message.map(|m| clip_owned(m, MAX_BREADCRUMB_MESSAGE_CHARS)).filter(|m| !m.is_empty());
        crumb.category = clip_owned(std::mem::take(&mut crumb.category), MAX_BREADCRUMB_CATEGORY_CHARS);
        if crumb.category.is_empty() {
            crumb.category = DEFAULT_CATEGORY.to_string();
        }
        if self.ring.len() >= self.capacity {
            self.ring.pop_front();
        }
        self.ring.push_back(crumb);
    }

    /// The breadcrumbs kept, oldest first.
    pub fn snapshot(&self) -> Vec<Breadcrumb> {
        self.ring.iter().cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.ring.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forgets every breadcrumb (consent withdrawn).
    pub fn clear(&mut self) {
        self.ring.clear();
    }
}
