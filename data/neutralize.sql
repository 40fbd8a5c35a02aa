-- a copied database must not receive nor sign provider traffic
UPDATE inbox_provider
   SET webhook_secret = NULL,
       webhook_token = md5(random()::text || id::text),
       active = false;
