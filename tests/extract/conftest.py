def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs OCR on whole pages (seconds each); few of them")
