//! faxprep: upload to fax pages (being built).
