"""The Python twin of three TypeScript example flows (examples/flows/remote-write.ts,
container-insights.ts and container-cost.ts), written the way a Python user writes them, with the
bindings jsii-pacmak generates. twin.ts builds the same flows from TypeScript; run.sh synthesizes
both and requires identical templates, assets, cloud-assembly manifests and Kubernetes manifests.

    CDK_OUTDIR=<cdk.out> K8S_OUTDIR=<manifests> python app.py
"""
import os

import aws_cdk as cdk
import cdk8s

from cdk_eks_cross_account_observability import (
    AgentIdentityMode,
    CloudWatchObservabilityAddon,
    ContainerCostAgentChart,
    ContainerCostBucket,
    ContainerInsightsAgentAccess,
    ContainerInsightsPermissionMode,
    CrossAccountContainerInsights,
    IrsaRemoteWriteRole,
    PrometheusRemoteWriteChart,
    RemoteWriteCluster,
    ServiceAccountRef,
)

OBSERVABILITY_ACCOUNT = "111111111111"
CLUSTER_ACCOUNT = "222222222222"
REGION = "us-east-1"
WORKSPACE_ARN = f"arn:aws:aps:{REGION}:{OBSERVABILITY_ACCOUNT}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef"
PROD_ISSUER = "https://oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"


def env(account: str) -> cdk.Environment:
    return cdk.Environment(account=account, region=REGION)


def remote_write(app: cdk.App, k8s: cdk8s.App) -> dict:
    """examples/flows/remote-write.ts: structs in lists as struct classes (snake_case keywords)."""
    amp = cdk.Stack(app, "Amp", env=env(OBSERVABILITY_ACCOUNT))
    role = IrsaRemoteWriteRole(
        amp,
        "RemoteWrite",
        workspace_arn=WORKSPACE_ARN,
        clusters=[RemoteWriteCluster(oidc_issuer_url=PROD_ISSUER)],
        service_accounts=[ServiceAccountRef(namespace="monitoring", name="prometheus")],
    )
    chart = PrometheusRemoteWriteChart(
        k8s,
        "prometheus-remote-write-prod",
        workspace_arn=WORKSPACE_ARN,
        role_arn=role.role_arn_for(PROD_ISSUER),
        cluster_name="prod",
    )
    return {"values-prod.yaml": chart.helm_values_yaml()}


def container_insights(app: cdk.App) -> None:
    """examples/flows/container-insights.ts: enums, a struct one construct returns passed to another."""
    customer_name, cluster = "acme", "prod"
    vendor = cdk.Stack(app, "Vendor", env=env(OBSERVABILITY_ACCOUNT))
    customer = cdk.Stack(app, "Customer", env=env(CLUSTER_ACCOUNT))
    target_role_arn = f"arn:aws:iam::{OBSERVABILITY_ACCOUNT}:role/containerinsights-{customer_name}"
    agent = ContainerInsightsAgentAccess(
        customer,
        "ContainerInsightsAgent",
        target_role_arn=target_role_arn,
        cluster_name=cluster,
        identity_mode=AgentIdentityMode.POD_IDENTITY,
    )
    insights = CrossAccountContainerInsights(
        vendor,
        "ContainerInsights",
        customer_name=customer_name,
        source_account_id=CLUSTER_ACCOUNT,
        pod_identity_trusts=[agent.pod_identity_trust],
        permission_mode=ContainerInsightsPermissionMode.TENANT_ISOLATED,
        cluster_names=[cluster],
    )
    if insights.role_arn != target_role_arn:
        raise AssertionError(f"{insights.role_arn} != {target_role_arn}")
    CloudWatchObservabilityAddon(
        customer,
        "ContainerInsightsAddon",
        cluster_name=cluster,
        identity_mode=AgentIdentityMode.POD_IDENTITY,
        target_role_arn=target_role_arn,
        reported_cluster_name=CrossAccountContainerInsights.reported_cluster_name(customer_name, cluster),
    )


def container_cost(app: cdk.App, k8s: cdk8s.App) -> None:
    """examples/flows/container-cost.ts: the construct that ships Lambda code (the wheel's assets)."""
    stack = cdk.Stack(app, "ClusterAccountCost", env=env(CLUSTER_ACCOUNT))
    cost = ContainerCostBucket(
        stack,
        "ContainerCost",
        include_regions=[REGION, "us-west-2"],
        reader_role_name="cost-platform-onboarding",
    )
    for cluster_name, region in [("prod", REGION), ("staging", "us-west-2")]:
        ContainerCostAgentChart(
            k8s,
            f"container-cost-agent-{cluster_name}",
            account=CLUSTER_ACCOUNT,
            owner_key=cost.owner_key,
            cluster_name=cluster_name,
            region=region,
        )


def main() -> None:
    # Version reporting off on both sides: its analytics string names the host language.
    app = cdk.App(analytics_reporting=False)
    k8s_outdir = os.environ["K8S_OUTDIR"]
    k8s = cdk8s.App(outdir=k8s_outdir, output_file_extension=".yaml")
    helm_values = remote_write(app, k8s)
    container_insights(app)
    container_cost(app, k8s)
    k8s.synth()
    for file_name, yaml in helm_values.items():
        with open(os.path.join(k8s_outdir, file_name), "w", encoding="utf-8") as out:
            out.write(yaml)
    app.synth()


if __name__ == "__main__":
    main()
