//! What several of this crate's integration tests share.

use faxprep::FormFields;

/// Valid form fields without a cover: the fields of a plain fax.
pub fn fields() -> FormFields {
    FormFields {
        recipient_number: Some("(212) 555-0123".into()),
        sender_name: Some("Dr. Maria Gonzalez".into()),
        sender_email: Some("maria@example.com".into()),
        include_cover: Some("false".into()),
        ..FormFields::default()
    }
}
