"""Pin the OpenAPI operation ids and component schema names: clients are generated from them."""

from __future__ import annotations

import httpx

OPERATIONS = {
    ("post", "/v1/scan"): "scan_document",
    ("post", "/v1/scan/text"): "scan_text",
    ("post", "/v1/jobs"): "create_job",
    ("get", "/v1/jobs/{job_id}"): "get_job",
    ("get", "/v1/rules"): "list_rules",
    ("get", "/v1/categories"): "list_categories",
    ("get", "/v1/health"): "health",
}
SCHEMAS = {
    "Body_create_job",
    "Body_scan_document",
    "Category",
    "CategoryList",
    "DocumentInfo",
    "DocumentWarning",
    "ErrorBody",
    "ErrorDetail",
    "Finding",
    "Health",
    "Job",
    "JobError",
    "LegalBasis",
    "LegalBasisEntry",
    "Rule",
    "RuleList",
    "ScanResult",
    "ScanTextRequest",
    "Summary",
    "TableRef",
    "TraceStep",
}


def test_operation_ids_and_schema_names(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    ops = {
        (method, path): op["operationId"]
        for path, item in spec["paths"].items()
        for method, op in item.items()
    }
    assert ops == OPERATIONS
    assert set(spec["components"]["schemas"]) == SCHEMAS
    assert set(spec["components"]["securitySchemes"]) == {"HTTPBearer", "APIKeyHeader"}


def test_docs_are_chinese_with_examples(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    scan = spec["paths"]["/v1/scan"]["post"]
    assert "上传" in scan["description"] and scan["summary"] == "扫描文档"
    for status in ("413", "415", "422", "504"):
        assert scan["responses"][status]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/ErrorBody"
        )
    assert "example" in spec["components"]["schemas"]["ScanResult"]
    assert "example" in spec["components"]["schemas"]["ScanTextRequest"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
