//! On-device privacy: PII masking (and, with the consent issue, the consent state).
