from . import (
    test_sandbox_adapter,
    test_provider_readiness,
    test_channel_availability,
    test_send,
    test_delivery_pipeline,
    test_inbound,
    test_access,
    test_http,
    test_ui,
)
