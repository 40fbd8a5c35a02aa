-- a copied database must not receive, sign nor send provider traffic
UPDATE inbox_provider
   SET webhook_secret = NULL,
       webhook_token = md5(random()::text || id::text),
       twilio_auth_token = NULL,
       meta_access_token = NULL,
       meta_app_secret = NULL,
       meta_verify_token = NULL,
       mailgun_signing_key = NULL,
       active = false;
