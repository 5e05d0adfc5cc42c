-- A site's own privacy notice, where every widget's "Confidentialité" link leads; without
-- one, the endpoint shows its notice of what it keeps on the site.
ALTER TABLE sites ADD COLUMN privacy_url TEXT;
