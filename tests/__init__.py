from . import (
    test_access,
    test_channel_availability,
    test_delivery_pipeline,
    test_email,
    test_http,
    test_inbound,
    test_meta_whatsapp,
    test_provider_readiness,
    test_sandbox_adapter,
    test_send,
    test_twilio,
    test_ui,
)
