-- Explanations are kept deflated (zlib, RFC 1950) in explanation_z: about a third of the JSON's
-- size, so each decision's commit writes fewer pages and the store stays smaller. The JSON inside
-- is the versioned layout of Explanations ("format": 1); `decisions export` writes it as text,
-- and any zlib (e.g. Python's zlib.decompress) reads it. Rows written before keep their text in
-- `explanation`. ${blob} is the database's large-binary type.
ALTER TABLE decisions ADD COLUMN explanation_z ${blob};
