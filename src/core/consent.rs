//! Consent: one place that storage and transport ask before every write and send.
//!
//! Categories are `necessary` (always granted), `analytics` and `marketing`;
//! each starts `pending` unless the site configures otherwise. Global Privacy
//! Control and Do Not Track deny analytics and marketing unless the site's
//! configuration says not to honour them.

/// A consent category of the product's model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Necessary,
    Analytics,
    Marketing,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Necessary, Category::Analytics, Category::Marketing];

    pub fn parse(s: &str) -> Option<Category> {
        match s {
            "necessary" => Some(Category::Necessary),
            "analytics" => Some(Category::Analytics),
            "marketing" => Some(Category::Marketing),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Necessary => "necessary",
            Category::Analytics => "analytics",
            Category::Marketing => "marketing",
        }
    }

    /// Categories named by one word of the API: a category, or `full` for all three.
    pub fn expand(word: &str) -> Option<&'static [Category]> {
        match word {
            "full" => Some(&Category::ALL),
            "necessary" => Some(&Category::ALL[0..1]),
            "analytics" => Some(&Category::ALL[1..2]),
            "marketing" => Some(&Category::ALL[2..3]),
            _ => None,
        }
    }
}

/// The state of one category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Pending,
    Granted,
    Denied,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Pending => "pending",
            Decision::Granted => "granted",
            Decision::Denied => "denied",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "pending" => Some(Decision::Pending),
            "granted" => Some(Decision::Granted),
            "denied" => Some(Decision::Denied),
            _ => None,
        }
    }
}

/// What kind of data an event or field is, for the category mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind {
    PageView,
    Custom,
    Error,
    Vital,
    /// User ids, identify traits.
    Identity,
    /// UTM and other campaign parameters.
    Campaign,
}

/// Which category each kind of data needs (defaults documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryMap {
    pub page_view: Category,
    pub custom: Category,
    pub error: Category,
    pub vital: Category,
    pub identity: Category,
    pub campaign: Category,
}

impl Default for CategoryMap {
    fn default() -> Self {
        CategoryMap {
            page_view: Category::Analytics,
            custom: Category::Analytics,
            error: Category::Analytics,
            vital: Category::Analytics,
            identity: Category::Marketing,
            campaign: Category::Marketing,
        }
    }
}

impl CategoryMap {
    /// Whether any kind of data is mapped to `category`.
    pub fn uses(&self, category: Category) -> bool {
        [self.page_view, self.custom, self.error, self.vital, self.identity, self.campaign].contains(&category)
    }

    pub fn of(&self, kind: DataKind) -> Category {
        match kind {
            DataKind::PageView => self.page_view,
            DataKind::Custom => self.custom,
            DataKind::Error => self.error,
            DataKind::Vital => self.vital,
            DataKind::Identity => self.identity,
            DataKind::Campaign => self.campaign,
        }
    }
}

/// The visitor's consent for this page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    analytics: Decision,
    marketing: Decision,
    /// A browser privacy signal (GPC or DNT) that the site honours.
    privacy_signal: bool,
}

impl Consent {
    /// `initial` is the site's default for analytics and marketing (normally
    /// `Pending`); `privacy_signal` is GPC/DNT when the site honours it.
    pub fn new(initial_analytics: Decision, initial_marketing: Decision, privacy_signal: bool) -> Consent {
        let mut c = Consent { analytics: initial_analytics, marketing: initial_marketing, privacy_signal };
        if privacy_signal {
            c.analytics = Decision::Denied;
            c.marketing = Decision::Denied;
        }
        c
    }

    pub fn get(&self, category: Category) -> Decision {
        match category {
            Category::Necessary => Decision::Granted,
            Category::Analytics => self.analytics,
            Category::Marketing => self.marketing,
        }
    }

    pub fn privacy_signal(&self) -> bool {
        self.privacy_signal
    }

    /// Sets categories; `necessary` cannot be denied. A honoured privacy signal
    /// keeps analytics and marketing denied.
    pub fn set(&mut self, categories: &[Category], decision: Decision) {
        for c in categories {
            let slot = match c {
                Category::Necessary => continue,
                Category::Analytics => &mut self.analytics,
                Category::Marketing => &mut self.marketing,
            };
            *slot = if self.privacy_signal && decision == Decision::Granted { Decision::Denied } else { decision };
        }
    }

    /// Whether anything at all may be stored or sent (some category besides
    /// `necessary` is granted, or data mapped to `necessary` exists).
    pub fn allows(&self, category: Category) -> bool {
        self.get(category) == Decision::Granted
    }

    /// Whether any category is still undecided.
    pub fn any_pending(&self) -> bool {
        self.analytics == Decision::Pending || self.marketing == Decision::Pending
    }
}

/// A decision as stored once given: categories, time and the policy version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDecision {
    pub policy_version: String,
    pub decided_at: u64,
    pub analytics: Decision,
    pub marketing: Decision,
}

impl StoredDecision {
    /// `v|time|analytics|marketing` — a small, explicit format.
    pub fn encode(&self) -> String {
        let mut s = String::new();
        s.push_str(&crate::core::text::replace(&self.policy_version, "|", "/"));
        s.push('|');
        crate::core::model::write_u64(&mut s, self.decided_at);
        s.push('|');
        s.push_str(self.analytics.as_str());
        s.push('|');
        s.push_str(self.marketing.as_str());
        s
    }

    /// The stored decision, if it is well formed and for `policy_version`
    /// (a new policy version asks again).
    pub fn decode(s: &str, policy_version: &str) -> Option<StoredDecision> {
        let mut parts = crate::core::text::split_any(s, b"|");
        let v = parts.next()?;
        let t = crate::core::text::parse_u64(parts.next()?)?;
        let a = Decision::parse(parts.next()?)?;
        let m = Decision::parse(parts.next()?)?;
        if parts.next().is_some() || v != crate::core::text::replace(policy_version, "|", "/") {
            return None;
        }
        Some(StoredDecision { policy_version: policy_version.to_string(), decided_at: t, analytics: a, marketing: m })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Decision::*;

    #[test]
    fn necessary_is_always_granted_and_others_start_pending() {
        let mut c = Consent::new(Pending, Pending, false);
        assert_eq!(c.get(Category::Necessary), Granted);
        assert!(c.any_pending());
        c.set(&[Category::Necessary], Denied);
        assert_eq!(c.get(Category::Necessary), Granted);
    }

    #[test]
    fn full_expands_to_every_category() {
        let mut c = Consent::new(Pending, Pending, false);
        c.set(Category::expand("full").unwrap(), Granted);
        assert!(c.allows(Category::Analytics) && c.allows(Category::Marketing));
        assert!(!c.any_pending());
        assert!(Category::expand("everything").is_none());
    }

    #[test]
    fn a_privacy_signal_denies_and_a_grant_cannot_override_it() {
        let mut c = Consent::new(Granted, Granted, true);
        assert_eq!(c.get(Category::Analytics), Denied);
        c.set(&[Category::Analytics, Category::Marketing], Granted);
        assert_eq!(c.get(Category::Analytics), Denied);
        assert_eq!(c.get(Category::Marketing), Denied);
    }

    #[test]
    fn stored_decisions_round_trip_and_a_new_policy_asks_again() {
        let d = StoredDecision { policy_version: "2024-05".into(), decided_at: 1_763_800_000_000, analytics: Granted, marketing: Denied };
        let s = d.encode();
        assert_eq!(StoredDecision::decode(&s, "2024-05"), Some(d));
        assert_eq!(StoredDecision::decode(&s, "2025-01"), None);
        for garbage in ["", "x|y|z", "2024-05|1|granted", "2024-05|1|granted|maybe", "2024-05|1|granted|denied|extra"] {
            assert_eq!(StoredDecision::decode(garbage, "2024-05"), None, "{garbage}");
        }
    }

    #[test]
    fn default_mapping_follows_the_documented_table() {
        let m = CategoryMap::default();
        assert_eq!(m.of(DataKind::Error), Category::Analytics);
        assert_eq!(m.of(DataKind::Vital), Category::Analytics);
        assert_eq!(m.of(DataKind::Identity), Category::Marketing);
        assert_eq!(m.of(DataKind::Campaign), Category::Marketing);
    }
}
