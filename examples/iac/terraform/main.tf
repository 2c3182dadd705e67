# A Kinesis video stream on its own customer managed key, a camera (producer) role and a viewer
# (consumer) role. plan.json is `terraform show -json` of `terraform plan -out` on this configuration;
# replace/ holds the same configuration after moving the stream to a second key, with its plan.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

variable "stream_name" {
  type    = string
  default = "lobby-cam"
}

variable "retention_hours" {
  type    = number
  default = 72
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "video_key" {
  statement {
    sid       = "KeyAdministration"
    actions   = ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CamerasWriteThroughKvs"
    actions   = ["kms:GenerateDataKey"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.camera.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["kinesisvideo.us-east-1.amazonaws.com"]
    }
  }
  statement {
    sid       = "ViewersReadThroughKvs"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.viewer.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["kinesisvideo.us-east-1.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "video" {
  description         = "Encrypts the lobby camera's video at rest"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.video_key.json
}

resource "aws_kms_alias" "video" {
  name          = "alias/lobby-video"
  target_key_id = aws_kms_key.video.key_id
}

resource "aws_kinesis_video_stream" "lobby" {
  name                    = var.stream_name
  data_retention_in_hours = var.retention_hours
  media_type              = "video/h264"
  kms_key_id              = aws_kms_key.video.arn
}

data "aws_iam_policy_document" "assume_from_account" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_iam_role" "camera" {
  name               = "lobby-camera"
  assume_role_policy = data.aws_iam_policy_document.assume_from_account.json
}

data "aws_iam_policy_document" "camera" {
  statement {
    actions   = ["kinesisvideo:DescribeStream", "kinesisvideo:GetDataEndpoint", "kinesisvideo:PutMedia"]
    resources = [aws_kinesis_video_stream.lobby.arn]
  }
}

resource "aws_iam_role_policy" "camera" {
  name   = "put-media"
  role   = aws_iam_role.camera.id
  policy = data.aws_iam_policy_document.camera.json
}

resource "aws_iam_role" "viewer" {
  name               = "lobby-viewer"
  assume_role_policy = data.aws_iam_policy_document.assume_from_account.json
}

resource "aws_iam_policy" "viewer" {
  name = "lobby-viewer-get-media"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["kinesisvideo:GetDataEndpoint", "kinesisvideo:GetMedia"]
      Resource = "arn:aws:kinesisvideo:us-east-1:${data.aws_caller_identity.current.account_id}:stream/${var.stream_name}/*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "viewer" {
  role       = aws_iam_role.viewer.name
  policy_arn = aws_iam_policy.viewer.arn
}
