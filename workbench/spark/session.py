"""One local (or cluster) SparkSession for the workbench, and a clear message when Spark cannot start.

PySpark is a Python front end to a Java program: it needs a Java runtime
(17 or newer for Spark 4) besides the ``pyspark`` package. :func:`spark_status`
says whether both are there; :func:`get_spark` returns the active session or
starts a small one (``local[2]``, UI off, two shuffle partitions) that suits a
laptop or a test run. On a real cluster, create the session the cluster's way
(``spark-submit``, Databricks, EMR) before calling the workbench: the active
session is always used.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from ..errors import WorkbenchError

JDK_PACKAGE = "openjdk-17-jre-headless"
"""The Debian package `make spark-env` installs when no Java is found."""

INSTALL_HINT = (f"install a Java runtime (`make spark-env`, which runs `apt-get install -y {JDK_PACKAGE}`) "
                "and the pyspark package (`pip install 'recsys-workbench[scale]'`; the lock file already has it)")


class SparkUnavailable(WorkbenchError, RuntimeError):
    """Spark cannot start here: pyspark or a Java runtime is missing."""


def java_executable() -> str | None:
    """Path of the ``java`` Spark would start (``$JAVA_HOME/bin/java`` first, then ``PATH``), or None."""
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    return shutil.which("java")


def java_version() -> str | None:
    """First line of ``java -version`` (e.g. ``openjdk version "17.0.15"``), or None without Java."""
    java = java_executable()
    if java is None:
        return None
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[0] if done.returncode == 0 and lines else None


def spark_status() -> tuple[bool, str]:
    """``(True, versions)`` when Spark can start here, else ``(False, what is missing and how to fix it)``."""
    try:
        import pyspark
    except ImportError:
        return False, f"pyspark is not installed: {INSTALL_HINT}."
    java = java_version()
    if java is None:
        return False, f"no Java runtime found (JAVA_HOME or `java` on PATH): {INSTALL_HINT}."
    return True, f"pyspark {pyspark.__version__}, {java}"


def get_spark(master: str = "local[2]", app_name: str = "recsys-workbench", driver_memory: str = "2g",
              shuffle_partitions: int = 2):
    """The active SparkSession, or a new one with settings for a small machine.

    Args:
        master: Where to run when no session is active: ``local[2]`` = two threads here.
        app_name: Name shown in Spark's logs.
        driver_memory: JVM heap of the driver (only honoured when the JVM starts).
        shuffle_partitions: ``spark.sql.shuffle.partitions`` (Spark's 200 suits clusters, not a laptop).

    Raises:
        SparkUnavailable: pyspark or Java is missing (the message says how to install them).
    """
    ok, message = spark_status()
    if not ok:
        raise SparkUnavailable(message)
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    # the JVM resolves the host name before it reads any config: keep it on loopback from the start
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    spark = (SparkSession.builder.master(master).appName(app_name)
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
             .config("spark.default.parallelism", str(shuffle_partitions))
             .config("spark.driver.memory", driver_memory)
             .config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark
