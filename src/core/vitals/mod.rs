//! Web Vitals arithmetic over performance entries passed in by the shell.
