//! faxprep halftone stage (being built).
