"""An institution's reporting year: submitted by its editor, approved (locked) or returned by an officer."""
